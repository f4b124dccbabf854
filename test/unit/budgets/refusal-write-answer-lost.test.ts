import { describe, expect, it } from 'vitest';
import { totalLimit } from '#shared/budgets/ledger.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';
import { refusedOnceAfterLanding } from '#test/support/dynamo-errors.ts';

const radioOnly = (budgetId: string) =>
  aBudget({
    budgetId,
    lines: [{ lineId: 'radio', category: 'radio-plugging', planned: { minor: 900_000, currency: 'EUR' } }],
  });
const anInvoice = (overrides: Parameters<typeof anExpense>[0]) =>
  anExpense({ invoiceNumber: 'AP-114', ...overrides });

/**
 * docs/design.md#failures-and-retries: a recount refuses an expense for good in one write (its state
 * counting nothing, its versions kept as refused) applied with its answer lost, and its resend refused by
 * that very write (the state's revision moved, the versions gone). Read again, the expense had no version
 * left, and the refusal took it for done by another: the invoice it carried stayed flagged on both budgets.
 */
describe('an expense refused for good by a recount whose write landed while its answer was lost', () => {
  it('carries its invoice no more: the flags on both budgets are cleared', async () => {
    const h = budgetsHarness();
    await h.budget(radioOnly('bud-1'));
    await h.budget(radioOnly('bud-2'));
    const half = Math.floor(totalLimit / 2) + 1;
    await h.expense(
      anInvoice({ expenseId: 'exp-1', invoiceNumber: 'AP-100', amount: { minor: half, currency: 'EUR' } }),
    );
    // No GBP rate yet: counted apart, and carrying AP-114 beside bud-2's exp-9.
    await h.expense(anInvoice({ expenseId: 'exp-2', amount: { minor: half, currency: 'GBP' } }));
    await h.expense(anInvoice({ expenseId: 'exp-9', budgetId: 'bud-2' }));
    expect((await h.ledger('bud-2')).flagged).toHaveLength(1);
    // The rate comes: counted in EUR, exp-2 would take bud-1's radio actual past the largest total.
    await h.store.putRates('2027-03-02', { 'GBP/EUR': '1' }, '2027-03-03T06:00:00.000Z');
    // The refusal's write (its state with its refused versions) applied, answered as refused.
    const lost = refusedOnceAfterLanding(
      h.store,
      'writeLedger',
      (_label, _budget, write) => !!write.refused?.length && write.states.length > 0,
    );

    await h.reconcile('2027-03-03');

    expect(lost()).toBe(true);
    expect((await h.ledger('bud-1')).refused).toEqual([
      expect.objectContaining({ expenseId: 'exp-2', total: 'actual radio' }),
    ]);
    expect((await h.ledger('bud-2')).flagged).toEqual([]);
    expect((await h.ledger('bud-1')).flagged).toEqual([]);
  });
});
