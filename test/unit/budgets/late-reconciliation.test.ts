import { describe, expect, it } from 'vitest';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

describe("a budget's reconciliation of an earlier day that arrives late (a dead letter redriven)", () => {
  it("keeps the budget's last reconciled day the latest one, not the late day's", async () => {
    const h = budgetsHarness({ now: '2027-03-09T07:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    await h.expense(anExpense({ date: '2027-03-08', amount: { minor: 30_000, currency: 'EUR' } }));
    // 9 March's reconciliation of bud-1 failed and went to the dead letters; 10 March's ran.
    h.setNow('2027-03-10T07:00:00.000Z');
    await h.reconcile('2027-03-10');
    // The 9 March event is redriven in the afternoon of the 10th.
    h.setNow('2027-03-10T15:00:00.000Z');
    await h.deliver(BudgetReconciliationDue, { labelId: 'lbl-1', budgetId: 'bud-1', date: '2027-03-09' });

    const last = (await h.store.getBudget('lbl-1', 'bud-1'))?.lastResult;
    // The 9th's own result is kept for the 9th; what the budget shows as its last day stays the 10th.
    expect(last?.date).toBe('2027-03-10');
  });
});
