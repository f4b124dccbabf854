import { describe, expect, it } from 'vitest';
import { aBudget, anExpense, budgetsHarness, throttleFirstRelease } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: a share counted apart (no rate yet) repaired by the reconciliation is stated
// "with the drift of the artist's shares per currency (`unconverted USD recoupable art-1`: what the
// budget's shares held and hold)", and "a release the reconciliation repairs that takes such a share off
// its order ... states it so too ... beside the totals it changes" (whose drift is what the budget's
// running totals held and hold).
const artist = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };

describe('a release of an unconverted order lost between budgets, the budget holding another share of the artist in USD (512c3d7)', () => {
  it("states what the budget's USD shares of the artist held and hold (600.00 -> 100.00), not the order's alone (500.00 -> 0)", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    /** A purchase order of bud-1 in USD for a date no rate converts yet, wholly recoupable from the artist. */
    const usdOrder = (expenseId: string, minor: number) =>
      anExpense({
        expenseId,
        kind: 'commitment',
        date: '2027-03-04',
        amount: { minor, currency: 'USD' },
        recoupable: artist,
      });
    // The video's order (500.00 USD) and the stills' order (100.00 USD): both counted apart, each with
    // the artist's share, 600.00 USD of the artist's in bud-1.
    await h.expense(usdOrder('po-video', 50_000));
    await h.expense(usdOrder('po-stills', 10_000));
    // The director's invoice settling the video's order, booked to bud-3, set late; the release is lost.
    await h.expense(
      anExpense({
        expenseId: 'inv-director',
        budgetId: 'bud-3',
        settles: 'po-video',
        amount: { minor: 30_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    throttleFirstRelease(h);
    const occurredAt = '2027-03-05T09:00:00.000Z';
    await expect(h.budget(aBudget({ budgetId: 'bud-3' }), occurredAt)).rejects.toThrow();
    await h.budget(aBudget({ budgetId: 'bud-3' }), occurredAt);

    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');

    // The repair leaves the stills' 100.00 USD the artist's in bud-1...
    expect(
      (await h.store.recoupable(h.labelId, 'art-1')).filter((share) => share.budgetId === 'bud-1'),
    ).toEqual([{ budgetId: 'bud-1', expenseId: 'po-stills', amount: { minor: 10_000, currency: 'USD' } }]);
    const stated = h
      .events('Budget Drift Repaired')
      .map((e) => (e.detail as { data: { budgetId: string; differences: unknown[] } }).data)
      .filter((d) => d.budgetId === 'bud-1')
      .flatMap((d) => d.differences);
    // ...and bud-1's owner is told the budget's figures, the commitments' (600.00 -> 100.00 USD) as the
    // artist's shares': not that the ledger says 0.00 USD of the artist's where it holds 100.00.
    expect(stated).toEqual(
      expect.arrayContaining([{ total: 'unconverted USD commitment', was: 60_000, ledger: 10_000 }]),
    );
    expect(stated).toEqual(
      expect.arrayContaining([{ total: 'unconverted USD recoupable art-1', was: 60_000, ledger: 10_000 }]),
    );
  });
});
