import { describe, expect, it } from 'vitest';
import type { LedgerWrite } from '#shared/db/budgets.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: a state whose recoupable share alone differs from the ledger's is drift,
// written with Budget Drift Repaired in the same transaction, and "the repair is in the day's result
// and in the ReconciliationDrift metric in that currency". repairShares writes a large repair in
// several transactions; one refused (a state changed since read) makes the reconciliation read again.

const artist = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };

describe("review: the reconciliation's repair of recoupable shares in more than one transaction", () => {
  it('measures as ReconciliationDrift every share repair it stated, when a later transaction of the repair is refused and tried again', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget());
    await h.expense(
      anExpense({
        expenseId: 'po-video',
        kind: 'commitment',
        amount: { minor: 50_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    // Two hundred of the crew's invoices (10.00 USD each, no rate yet) name the order: none has a share.
    for (let n = 1; n <= 200; n++)
      await h.expense(
        anExpense({
          expenseId: `inv-crew-${n}`,
          settles: 'po-video',
          date: '2027-03-04',
          amount: { minor: 1_000, currency: 'USD' },
          recoupable: artist,
        }),
      );
    // The label voids the order: more invoices name it than its write can count again, so the daily
    // reconciliation repairs the rest, more than one transaction holds.
    await h.voidExpense({ expenseId: 'po-video', budgetId: 'bud-1', reason: 'Raised in error' });

    // The repair's second transaction is refused once (one of its invoices changed since it was read).
    const write = h.store.writeLedger.bind(h.store);
    let repairs = 0;
    h.store.writeLedger = async (labelId: string, budgetId: string, ledgerWrite: LedgerWrite) => {
      if (ledgerWrite.drift && ledgerWrite.states.length > 0 && ++repairs === 2) return false;
      return write(labelId, budgetId, ledgerWrite);
    };
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');

    // Every invoice's 10.00 USD is recoupable, each repair stated once...
    expect((await h.store.recoupable(h.labelId, 'art-1')).length).toBe(200);
    const stated = h
      .events('Budget Drift Repaired')
      .flatMap(
        (e) => (e.detail as { data: { differences: { was: number; ledger: number }[] } }).data.differences,
      )
      .reduce((total, d) => total + Math.abs(d.ledger - d.was), 0);
    expect(repairs).toBeGreaterThan(2);
    expect(stated).toBeGreaterThan(98 * 1_000);
    // ...and the day's metric counts what was stated, not only the transactions of the last attempt.
    expect(h.measure.totals('ReconciliationDrift')).toEqual({ USD: stated });
  });
});
