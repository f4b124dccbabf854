import { describe, expect, it } from 'vitest';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

const day = (n: number) => `2027-03-${String(n).padStart(2, '0')}`;

describe('a budget back on track after being at risk', () => {
  it('counts the day it recovers as changed, so its owner hears of it', async () => {
    const h = budgetsHarness({ now: '2027-03-02T08:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    // 400.00 of 1,000.00 in a day: at that rate the money runs out long before the 30th (at risk).
    await h.expense(anExpense({ date: day(2), amount: { minor: 40_000, currency: 'EUR' } }));

    // Nothing more is spent; once the spend leaves the 7-day window the forecast is within the plan.
    for (let d = 3; d <= 10; d++) {
      h.setNow(`${day(d)}T07:00:00.000Z`);
      await h.reconcile(day(d));
      await h.report(day(d));
    }

    const statuses = [];
    for (let d = 3; d <= 10; d++)
      statuses.push(
        (await h.store.dayResults(day(d), 'lbl-1', 'mara@label.example')).map((r) => [
          r.status,
          r.changed,
        ])[0],
      );
    const recovered = statuses.findIndex(([status]) => status === 'on-track');
    expect(statuses[recovered - 1]?.[0]).toBe('at-risk');
    expect(statuses[recovered]).toEqual(['on-track', true]);
    const reported = h
      .received()
      .filter((m) => m.kind === 'budget-report')
      .map((m) => m.subject[2]);
    expect(reported).toContain(day(3 + recovered));
  });
});
