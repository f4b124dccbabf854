import { describe, expect, it } from 'vitest';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import { callApi } from '#test/support/api.ts';
import { officeBudgetsApi } from '#test/support/budgets.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/** GET /labels/{labelId}/budgets/{budgetId}, as the management API answers it, on the harness's store. */
const view = async (h: ReturnType<typeof budgetsHarness>, budgetId: string) => {
  const answer = await callApi(officeBudgetsApi({ budgets: h.store, now: '2027-04-10T12:00:00Z' }), {
    method: 'GET',
    route: '/labels/{labelId}/budgets/{budgetId}',
    pathParameters: { labelId: h.labelId, budgetId },
  });
  return JSON.parse(answer.body ?? '{}');
};

describe("the budget's view after its period starts anew", () => {
  it('lists as crossed only the thresholds crossed in the period in force, not those of the period before', async () => {
    const h = budgetsHarness({ now: '2027-03-01T08:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    // 85 % of March's plan: the 50 and 80 % alerts go out in March's period.
    await h.expense(anExpense({ amount: { minor: 85_000, currency: 'EUR' } }));
    h.setNow('2027-03-03T07:00:00.000Z');
    await h.reconcile('2027-03-03');
    // April is a new period (a new start), with a plan of its own: nothing spent in it yet.
    await h.budget(
      aBudget({
        period: { start: '2027-04-01', end: '2027-04-30' },
        lines: [
          { lineId: 'radio', category: 'radio-plugging', planned: { minor: 600_000, currency: 'EUR' } },
          { lineId: 'ads', category: 'advertising', planned: { minor: 400_000, currency: 'EUR' } },
        ],
      }),
      '2027-04-01T00:00:00.000Z',
    );
    h.setNow('2027-04-02T07:00:00.000Z');
    await h.reconcile('2027-04-02');

    const budget = await view(h, 'bud-1');
    // 85,000 of 1,000,000 used: 8.5 %, no threshold of this period crossed, and no alert went out for one.
    expect(budget.totals.usedPercent).toBe(8.5);
    expect(h.events('Budget Threshold Crossed')).toHaveLength(2);
    expect(budget.thresholdsCrossed).toEqual([]);
  });
});

describe("the budget's view of a threshold a late day's reconciliation crossed (a dead letter redriven)", () => {
  it('states the day its alert mail names, not the day the redrive ran', async () => {
    const h = budgetsHarness({ now: '2027-03-08T09:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    await h.expense(anExpense({ date: '2027-03-08', amount: { minor: 85_000, currency: 'EUR' } }));
    // 9 March's reconciliation of bud-1 went to the dead letters; redriven on the 10th, before that day's run.
    h.setNow('2027-03-10T06:30:00.000Z');
    await h.deliver(BudgetReconciliationDue, { labelId: 'lbl-1', budgetId: 'bud-1', date: '2027-03-09' });

    const budget = await view(h, 'bud-1');
    const mails = h.received().filter((m) => m.kind === 'threshold-crossed');
    // The day's one warning (at 80 %, stating 50 %) says 'On 2027-03-09 committed and actual spend reached 85 %'.
    expect(mails.map((m) => (m.data as { text: { detail: string } }).text.detail)).toEqual([
      'On 2027-03-09 committed and actual spend reached 85 % of the plan.',
    ]);
    expect(budget.thresholdsCrossed).toEqual([
      { threshold: 50, on: '2027-03-10T06:30:00.000Z', date: '2027-03-09' },
      { threshold: 80, on: '2027-03-10T06:30:00.000Z', date: '2027-03-09' },
    ]);
  });
});
