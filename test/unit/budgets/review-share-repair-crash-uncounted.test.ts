import { describe, expect, it } from 'vitest';
import type { LedgerWrite } from '#shared/db/budgets.ts';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

const artist = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };

/** The sum of the differences a list of drift entries states, in minor units. */
const driftSum = (differences: { was: number; ledger: number }[]) =>
  differences.reduce((total, d) => total + Math.abs(d.ledger - d.was), 0);

// docs/design.md#budgets (bb2d496): "A repair larger than one transaction whose later transaction is
// refused (a state changed since read) keeps what the earlier ones wrote and stated: it is counted in
// the result and the metric". What an earlier transaction wrote and stated is kept just the same when
// the later one fails otherwise (throttled past the SDK's retries, or the function stopped between the
// two): the event is delivered again, and the retried reconciliation finds only what is left, so the
// day's result, the owner's report and the metric count part of what Budget Drift Repaired stated.
describe("review: the reconciliation's repair of recoupable shares stopped between two of its transactions", () => {
  it("lists in the day's result every share repair it stated, when the reconciliation is delivered again after its second transaction failed", async () => {
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
    // The label voids the order: more invoices name it than its write counts again, so the daily
    // reconciliation repairs the rest, in more than one transaction.
    await h.voidExpense({ expenseId: 'po-video', budgetId: 'bud-1', reason: 'Raised in error' });

    // The repair's second transaction is throttled (the first is written, with its Budget Drift
    // Repaired): the reconciliation fails and its event is delivered again.
    const write = h.store.writeLedger.bind(h.store);
    let repairs = 0;
    h.store.writeLedger = async (labelId: string, budgetId: string, ledgerWrite: LedgerWrite) => {
      if (ledgerWrite.drift && ledgerWrite.states.length > 0 && ++repairs === 2)
        throw new Error('ProvisionedThroughputExceededException');
      return write(labelId, budgetId, ledgerWrite);
    };
    h.setNow('2027-03-06T07:00:00.000Z');
    await expect(h.reconcile('2027-03-06')).rejects.toThrow('ProvisionedThroughputExceededException');
    await h.deliver(BudgetReconciliationDue, { labelId: h.labelId, budgetId: 'bud-1', date: '2027-03-06' });

    // Every invoice's 10.00 USD is recoupable, each repair stated once (2,000.00 USD in all)...
    expect((await h.store.recoupable(h.labelId, 'art-1')).length).toBe(200);
    const stated = driftSum(
      h
        .events('Budget Drift Repaired')
        .flatMap(
          (e) => (e.detail as { data: { differences: { was: number; ledger: number }[] } }).data.differences,
        ),
    );
    expect(stated).toBe(200_000);
    // ...and the day's result (what the owner's report lists) counts what was stated, not only what
    // the retried reconciliation wrote.
    const result = (await h.store.getBudget(h.labelId, 'bud-1'))?.lastResult;
    expect(result?.date).toBe('2027-03-06');
    expect(driftSum(result?.drift ?? [])).toBe(stated);
  });
});
