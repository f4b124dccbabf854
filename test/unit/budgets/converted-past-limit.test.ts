import { describe, expect, it } from 'vitest';
import { counter, totalLimit } from '#shared/budgets/ledger.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/**
 * An amount within the largest total kept whose conversion into the budget's currency passes it (a rate
 * with its decimal point dropped) is a change that would take a running total past it: refused for good
 * and listed, its event handled, as a total past the limit is (docs/design.md#money).
 */
describe('an expense whose converted amount passes the largest total kept', () => {
  it("is refused for good when the label's own rate takes it past: kept apart, nothing counted, the event handled, its redelivery too", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anExpense({ expenseId: 'exp-1', amount: { minor: 10_000, currency: 'EUR' } }));
    // 1,000,000.00 USD at 100000000 EUR per USD (the importer dropped the point of 1.00000000): 10^16 cents.
    const typo = anExpense({
      expenseId: 'exp-2',
      amount: { minor: 100_000_000, currency: 'USD' },
      rate: { value: '100000000', date: '2027-03-02', source: 'importer' },
    });

    const delivered = await h.expense(typo, { eventId: 'evt-typo' });
    await h.expense(typo, { eventId: 'evt-typo', occurredAt: delivered.metadata.occurredAt });

    const ledger = await h.ledger('bud-1');
    expect(ledger.totals).toEqual({ [counter.actual('radio')]: 10_000 });
    expect(ledger.refused).toEqual([
      expect.objectContaining({
        expenseId: 'exp-2',
        change: 'recorded',
        total: 'actual radio',
        reason: `actual radio would pass ${totalLimit}, the largest total Backline keeps`,
      }),
    ]);
  });

  it("is refused for good when the manager's rate for its date takes it past, and the reconciliation runs to its end", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anExpense({ expenseId: 'exp-1', amount: { minor: 10_000, currency: 'EUR' } }));
    // 1,000,000 JPY, no rate yet: counted apart, in yen.
    await h.expense(anExpense({ expenseId: 'exp-2', amount: { minor: 1_000_000, currency: 'JPY' } }));
    // 0.0000000001 yen per euro (a rate typed with its digits lost): 10^18 euro cents.
    await h.store.putRates('2027-03-02', { 'EUR/JPY': '0.0000000001' }, '2027-03-05T09:00:00.000Z');
    h.setNow('2027-03-30T07:00:00.000Z');

    await h.reconcile('2027-03-30');

    const ledger = await h.ledger('bud-1');
    expect(ledger.totals).toEqual({ [counter.actual('radio')]: 10_000 });
    expect(ledger.refused).toEqual([
      expect.objectContaining({ expenseId: 'exp-2', change: 'recorded', total: 'actual radio' }),
    ]);
    expect(h.events('Budget Reconciled')).toHaveLength(1);
  });
});
