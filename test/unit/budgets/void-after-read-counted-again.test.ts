import { describe, expect, it } from 'vitest';
import { counter, sum } from '#shared/budgets/ledger.ts';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: a state the reconciliation rebuilt from the versions it read never undoes a
// change landing after that read (its write is refused by the state's revision). Counting again what a
// new rate changes (reevaluate), the rebuilt state was written at the revision of the state stored when
// it wrote, not of the one it rebuilt from, so an invoice voided right after the read was written back as
// recorded and its 100.00 GBP counted at the day's rate.
describe('an invoice voided right after the reconciliation read its ledger, with a rate to count it', () => {
  it('stays voided, counted nowhere', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    // The London plugger's invoice (100.00 GBP of 3 March, no rate yet), and the manager's GBP rate of that
    // day, put before the reconciliation: it is to count 120.00 EUR on the radio line, until voided.
    await h.expense(
      anExpense({ expenseId: 'inv-london', date: '2027-03-03', amount: { minor: 10_000, currency: 'GBP' } }),
    );
    await h.store.putRates('2027-03-03', { 'GBP/EUR': '1.2' }, '2027-03-05T09:00:00.000Z');
    // The label voids it (booked twice) right after the reconciliation's first read of bud-1.
    const ledger = h.store.ledger.bind(h.store);
    let voided = false;
    h.store.ledger = async (labelId: string, budgetId: string) => {
      const read = await ledger(labelId, budgetId);
      if (!voided && budgetId === 'bud-1') {
        voided = true;
        await h.voidExpense(
          { expenseId: 'inv-london', budgetId: 'bud-1', reason: 'Booked twice' },
          { occurredAt: '2027-03-06T07:00:01.000Z' },
        );
      }
      return read;
    };
    // The radio line's actual after each ledger write the reconciliation makes, as the budget's view reads it.
    const seen: number[] = [];
    const writeLedger = h.store.writeLedger.bind(h.store);
    h.store.writeLedger = async (...args: Parameters<typeof writeLedger>) => {
      const written = await writeLedger(...args);
      seen.push((await h.ledger('bud-1')).totals[counter.actual('radio')] ?? 0);
      return written;
    };
    h.setNow('2027-03-06T07:00:00.000Z');

    await h.deliver(
      BudgetReconciliationDue,
      { labelId: h.labelId, budgetId: 'bud-1', date: '2027-03-06' },
      { eventId: 'evt-reconcile-bud-1' },
    );

    expect(voided).toBe(true);
    // Never counted, not even between two of its writes.
    expect(seen.filter((actual) => actual >= 12_000)).toEqual([]);
    const after = await h.ledger('bud-1');
    const london = after.states.find((s) => s.expenseId === 'inv-london');
    expect({ voided: london?.voidAt !== undefined, contribution: london?.contribution }).toEqual({
      voided: true,
      contribution: {},
    });
    expect(after.totals).toEqual(sum(...after.states.map((s) => s.contribution)));
  });
});
