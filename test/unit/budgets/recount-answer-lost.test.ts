import { describe, expect, it } from 'vitest';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import { aBudget, anExpense, artistInFull, budgetsHarness } from '#test/support/budgets-harness.ts';
import { refusedOnceAfterLanding } from '#test/support/dynamo-errors.ts';

/**
 * docs/design.md#failures-and-retries: a recount (a rate come for an invoice counted apart) whose write
 * is applied and answered as refused (its answer lost, the resend refused by it). Read again, nothing
 * was left to count, and the recount was taken for another writer's: the invoice, counted now, settled
 * the order of another budget, and that budget was never told (the order stayed committed there).
 */
describe('a recount whose write landed while its answer was lost', () => {
  it("releases the order the counted invoice settles in the order's own budget", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    for (const budgetId of ['bud-1', 'bud-3']) await h.budget(aBudget({ budgetId }));
    await h.expense(
      anExpense({
        expenseId: 'po-video',
        kind: 'commitment',
        amount: { minor: 50_000, currency: 'EUR' },
        recoupable: artistInFull,
      }),
    );
    // The director's invoice, booked to bud-3, in USD of 4 March: no rate yet, it settles nothing yet.
    await h.expense(
      anExpense({
        expenseId: 'inv-director',
        budgetId: 'bud-3',
        settles: 'po-video',
        date: '2027-03-04',
        amount: { minor: 30_000, currency: 'USD' },
        recoupable: artistInFull,
      }),
    );
    await h.store.putRates('2027-03-04', { 'USD/EUR': '0.9' }, '2027-03-05T09:00:00.000Z');
    const lost = refusedOnceAfterLanding(
      h.store,
      'writeLedger',
      (_label, budgetId, write) =>
        budgetId === 'bud-3' && write.states.some((s) => s.expenseId === 'inv-director'),
    );
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.deliver(BudgetReconciliationDue, { labelId: h.labelId, budgetId: 'bud-3', date: '2027-03-06' });

    expect(lost()).toBe(true);
    expect(
      (await h.ledger('bud-1')).states.find((s) => s.expenseId === 'po-video')?.settledElsewhere,
    ).toEqual(['inv-director']);
  });
});
