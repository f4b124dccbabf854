import { describe, expect, it } from 'vitest';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import { aBudget, anExpense, artistInFull, budgetsHarness } from '#test/support/budgets-harness.ts';

// Reviews 2732a52 (docs/design.md#budgets): a reconciliation's last attempt whose share repair is refused
// after its first transaction was written (97 states a transaction) judges the day on its read, taken
// before that write: the shares' drift it kept and stated (Budget Drift Repaired) was missing from the
// day's result, which said no drift (it failed with [] where the kept 'unconverted USD recoupable art-1'
// 0 -> 97000 is due). The day's result now lists what that attempt wrote too.

describe('a busy budget whose last reconciliation attempt repairs some of its shares', () => {
  it('states in the day result the shares drift it kept for the day', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    // Four orders (500.00 EUR each), fifty crew invoices naming each (10.00 USD each, no rate), the orders
    // voided: the reconciliation repairs 150 of their shares (counted apart, in no running total), in two
    // transactions (97 states, then 53).
    for (const order of ['po-video', 'po-tour', 'po-radio', 'po-press']) {
      await h.expense(
        anExpense({
          expenseId: order,
          kind: 'commitment',
          amount: { minor: 50_000, currency: 'EUR' },
          recoupable: artistInFull,
        }),
      );
      for (let n = 1; n <= 50; n++)
        await h.expense(
          anExpense({
            expenseId: `inv-crew-${order}-${n}`,
            settles: order,
            date: '2027-03-04',
            amount: { minor: 1_000, currency: 'USD' },
            recoupable: artistInFull,
          }),
        );
      await h.voidExpense({ expenseId: order, budgetId: 'bud-1', reason: 'Raised in error' });
    }

    // The label's import records the ad agency's small invoices (1.00 EUR each) into bud-1 while it is
    // reconciled: one right after each of the first two strong reads, then one right after the last
    // attempt's first share transaction is written.
    const ledger = h.store.ledger.bind(h.store);
    const writeLedger = h.store.writeLedger.bind(h.store);
    let strongReads = 0;
    let recorded = 0;
    let armed = false;
    const record = () =>
      h.expense(
        anExpense({
          expenseId: `inv-ads-${++recorded}`,
          lineId: 'ads',
          vendor: 'Adwise',
          amount: { minor: 100, currency: 'EUR' },
        }),
      );
    h.store.ledger = async (labelId: string, budgetId: string, options?: { consistent?: boolean }) => {
      const read = await ledger(labelId, budgetId);
      if (budgetId === 'bud-1' && options?.consistent) {
        strongReads++;
        if (strongReads < 3) await record();
        else if (strongReads === 3) armed = true;
      }
      return read;
    };
    h.store.writeLedger = async (labelId, budgetId, write) => {
      const written = await writeLedger(labelId, budgetId, write);
      if (armed && written && write.drift) {
        armed = false;
        await record();
      }
      return written;
    };
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.deliver(
      BudgetReconciliationDue,
      { labelId: h.labelId, budgetId: 'bud-1', date: '2027-03-06' },
      { eventId: 'evt-reconcile-bud-1' },
    );

    const after = await ledger(h.labelId, 'bud-1');
    const kept = after.drift.filter((d) => d.date === '2027-03-06').flatMap((d) => d.differences);
    // The last attempt's first transaction was written, its drift kept for the day (97 shares of 10.00
    // USD, 970.00 USD), the second refused by the invoice recorded between them.
    expect(strongReads).toBe(3);
    expect(kept.length).toBeGreaterThan(0);
    expect(after.budget?.lastResult?.date).toBe('2027-03-06');
    expect(after.budget?.lastResult?.drift).toEqual(kept);
  });
});
