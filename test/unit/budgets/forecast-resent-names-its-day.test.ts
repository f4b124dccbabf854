import { describe, expect, it } from 'vitest';
import { mailSubjects } from '#shared/db/deliveries.ts';
import { BudgetForecastOver, OutboxSweepDue, outboxEntry } from '#shared/events/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/**
 * A forecast alert whose claim went stale (the function stopped between claiming it and SES's answer)
 * is written again by the outbox sweep (docs/design.md#budgets): it states the day the money runs out
 * at the rate of the day that raised it, as the first mail would have, not the budget's last result's.
 */
describe('a forecast alert the stale-claim sweep sends again', () => {
  it("names the day the money runs out by the figures of the reconciliation that raised it, when that day's result was never kept", async () => {
    const h = budgetsHarness({ now: '2027-03-08T07:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    await h.expense(anExpense({ date: '2027-03-02', amount: { minor: 1_000, currency: 'EUR' } }));
    await h.reconcile('2027-03-08');
    await h.expense(
      anExpense({ expenseId: 'exp-2', date: '2027-03-08', amount: { minor: 30_000, currency: 'EUR' } }),
      { occurredAt: '2027-03-08T15:00:00.000Z' },
    );
    // 9 March: 31,000 of 100,000 used, 30,000 of it in the last 7 days: 69,000 left lasts 17 days.
    // Its reconciliation raised the forecast alert and claimed its mail, then stopped before SES's answer.
    h.setNow('2027-03-09T07:00:00.000Z');
    await h.store.raiseAlert(
      'lbl-1',
      'bud-1',
      'forecast#2027-03-01#2027-03-30',
      '2027-03-09T07:00:00.000Z',
      '2027-03-09',
      outboxEntry(
        BudgetForecastOver,
        {
          labelId: 'lbl-1',
          budgetId: 'bud-1',
          date: '2027-03-09',
          period: aBudget().period,
          forecastAtEnd: { minor: 121_000, currency: 'EUR' },
          planned: { minor: 100_000, currency: 'EUR' },
          runsOutOn: '2027-03-26',
        },
        { source: 'backline.budgets', labelId: 'lbl-1' },
      ),
    );
    await h.deliveries.claim(
      {
        labelId: 'lbl-1',
        subject: mailSubjects.budgetAlert('bud-1', 'forecast', '2027-03-01'),
        email: 'mara@label.example',
        kind: 'forecast-over',
        stream: 'operational',
        context: { budgetId: 'bud-1' },
      },
      '2027-03-09T07:00:00.000Z',
    );

    h.setNow('2027-03-09T09:00:00.000Z');
    await h.deliver(OutboxSweepDue, {});

    const resent = h.received().filter((m) => m.kind === 'forecast-over');
    expect(resent.map((m) => (m.data as { text: { headline: string } }).text.headline)).toEqual([
      'At this rate the money runs out on 2027-03-26',
    ]);
  });
});
