import { describe, expect, it } from 'vitest';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import {
  aBudget,
  anExpense,
  budgetsHarness,
  driftStated,
  loseRelease,
} from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: a release repaired in another budget shows "in its `Budget Drift Repaired`, and
// in the `ReconciliationDrift` metric of the reconciliation that made it ... (the metric counts every
// repair, by currency)"; 2cf5d50 adds to that repair the crew's unconverted share it gives in the order's
// budget. A reconciliation that fails after the repair is delivered again and finds nothing to repair:
// the repair is measured as its write lands, by the attempt that made it (measured at the invocation's
// end, it was measured by neither delivery).

const artist = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };

describe("a reconciliation that repaired a lost release and failed before its day's result, delivered again", () => {
  it("measures as ReconciliationDrift the release and the crew's 220.00 USD share it stated", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    // The video's order (500.00 EUR) and the crew's invoice naming it (220.00 USD, no rate yet) in bud-1.
    await h.expense(
      anExpense({
        expenseId: 'po-video',
        kind: 'commitment',
        amount: { minor: 50_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    await h.expense(
      anExpense({
        expenseId: 'inv-crew',
        settles: 'po-video',
        date: '2027-03-04',
        amount: { minor: 22_000, currency: 'USD' },
        recoupable: artist,
      }),
    );
    // The director's invoice (300.00 EUR) settling the order, booked to bud-3, set late: its release is lost.
    await h.expense(
      anExpense({
        expenseId: 'inv-director',
        budgetId: 'bud-3',
        settles: 'po-video',
        amount: { minor: 30_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    await loseRelease(h, 'bud-3', '2027-03-05T09:00:00.000Z');

    // bud-3's reconciliation repairs the release into bud-1, then its day result's write fails (throttled):
    // the invocation fails and the event is delivered again.
    const saveDayResult = h.store.saveDayResult.bind(h.store);
    let failed = false;
    h.store.saveDayResult = async (...args: Parameters<typeof saveDayResult>) => {
      if (!failed && args[0].budgetId === 'bud-3') {
        failed = true;
        throw new Error('ProvisionedThroughputExceededException');
      }
      return saveDayResult(...args);
    };
    h.setNow('2027-03-06T07:00:00.000Z');
    const due = { labelId: h.labelId, budgetId: 'bud-3', date: '2027-03-06' };
    await expect(h.deliver(BudgetReconciliationDue, due)).rejects.toThrow(
      'ProvisionedThroughputExceededException',
    );
    await h.deliver(BudgetReconciliationDue, due);

    // bud-1's owner was told of the repair once: the order's commitment, its share, the crew's share...
    expect(driftStated(h, 'bud-1')).toEqual([
      { total: 'committed radio', was: 50_000, ledger: 0 },
      { total: 'recoupable art-1', was: 50_000, ledger: 0 },
      { total: 'unconverted USD recoupable art-1', was: 0, ledger: 22_000 },
    ]);
    // ...and the reconciliation's metric counts it, as it counts a share repair stated before a retry.
    expect(h.measure.totals('ReconciliationDrift')).toEqual({ EUR: 100_000, USD: 22_000 });
  });
});
