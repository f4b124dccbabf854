import { describe, expect, it } from 'vitest';
import { aBudget, anExpense, budgetsHarness, throttleFirstRelease } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: a release the reconciliation repairs pushes the order's word into each other
// budget keeping one, "the shares that changes kept and stated as the drift of the budget it writes"
// (repairShares), and a share repair is stated "with the drift of the artist's shares per currency
// (`unconverted USD recoupable art-1`: what the budget's shares held and hold)", as bud-2's own
// reconciliation states it (repairShares over its whole ledger).
const artist = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };

describe("a release repaired by bud-3's reconciliation, pushed into bud-2 which holds another USD share of the artist", () => {
  it("states what bud-2's USD shares of the artist held and hold (100.00 -> 320.00), not the pushed write's alone (0 -> 220.00)", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    await h.budget(aBudget({ budgetId: 'bud-2' }));
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
        expenseId: 'inv-director',
        budgetId: 'bud-3',
        settles: 'po-video',
        amount: { minor: 30_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    /** An invoice of bud-2 in USD for a date no rate converts yet, wholly recoupable from the artist. */
    const usdInvoice = (expenseId: string, minor: number, settles?: string) =>
      anExpense({
        expenseId,
        budgetId: 'bud-2',
        date: '2027-03-04',
        amount: { minor, currency: 'USD' },
        recoupable: artist,
        ...(settles ? { settles } : {}),
      });
    // The crew's invoice (220.00 USD) names the video's order: no share while the order holds its own.
    await h.expense(usdInvoice('inv-crew', 22_000, 'po-video'));
    // The stills' invoice (100.00 USD) names no order: its share is the artist's, counted apart.
    await h.expense(usdInvoice('inv-stills', 10_000));
    throttleFirstRelease(h);
    const occurredAt = '2027-03-05T09:00:00.000Z';
    await expect(h.budget(aBudget({ budgetId: 'bud-3' }), occurredAt)).rejects.toThrow();
    await h.budget(aBudget({ budgetId: 'bud-3' }), occurredAt);

    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');

    // bud-2 holds 320.00 USD of the artist's after the day's run...
    expect(
      (await h.store.recoupable(h.labelId, 'art-1'))
        .filter((share) => share.budgetId === 'bud-2')
        .reduce((total, share) => total + share.amount.minor, 0),
    ).toBe(32_000);
    // ...and its owner is told what its shares held and hold, not that they held nothing.
    expect(
      h
        .events('Budget Drift Repaired')
        .map((e) => (e.detail as { data: { budgetId: string; differences: unknown[] } }).data)
        .filter((d) => d.budgetId === 'bud-2')
        .flatMap((d) => d.differences),
    ).toEqual([{ total: 'unconverted USD recoupable art-1', was: 10_000, ledger: 32_000 }]);
  });
});
