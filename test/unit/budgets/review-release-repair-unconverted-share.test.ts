import { describe, expect, it } from 'vitest';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/** The release of the order (the write with checks) throttled once. */
function throttleFirstRelease(h: ReturnType<typeof budgetsHarness>) {
  const writeLedger = h.store.writeLedger.bind(h.store);
  let failed = false;
  h.store.writeLedger = async (labelId, budgetId, write) => {
    if (!failed && (write.checks?.length ?? 0) > 0) {
      failed = true;
      throw new Error('ProvisionedThroughputExceededException');
    }
    return writeLedger(labelId, budgetId, write);
  };
}

// docs/design.md#budgets: a release the reconciliation repairs is drift, kept and stated (Budget Drift
// Repaired) in the same write, and the recoupable shares a repair changes are drift too ("a share counted
// apart (no rate yet) lives on its expense's state, in no running total").

const artist = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };

describe('a release of an unconverted order lost between budgets, repaired by the reconciliation', () => {
  it("states the artist's unconverted share the release takes off the order, as a share repair does", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    // The video's order, 500.00 USD in a EUR budget with no rate yet: counted apart, with the artist's share.
    await h.expense(
      anExpense({
        expenseId: 'po-video',
        budgetId: 'bud-1',
        kind: 'commitment',
        date: '2027-03-04',
        amount: { minor: 50_000, currency: 'USD' },
        recoupable: artist,
      }),
    );
    // The director's invoice settling it, booked to bud-3, set late; the release into bud-1 is lost.
    await h.expense(
      anExpense({
        expenseId: 'inv-director',
        budgetId: 'bud-3',
        settles: 'po-video',
        amount: { minor: 30_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    expect((await h.ledger('bud-1')).states.find((s) => s.expenseId === 'po-video')?.recoupable).toEqual(
      expect.objectContaining({ amount: { minor: 50_000, currency: 'USD' } }),
    );
    throttleFirstRelease(h);
    const occurredAt = '2027-03-05T09:00:00.000Z';
    await expect(h.budget(aBudget({ budgetId: 'bud-3' }), occurredAt)).rejects.toThrow();
    await h.budget(aBudget({ budgetId: 'bud-3' }), occurredAt);

    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');

    const after = (await h.ledger('bud-1')).states.find((s) => s.expenseId === 'po-video');
    // The release is repaired: the order holds no share of its own any more (the director's invoice has it)...
    expect(after?.settledElsewhere).toEqual(['inv-director']);
    expect(after?.recoupable).toBeUndefined();
    // ...and bud-1's owner is told of the artist's 500.00 USD share the repair took off, not only of the commitment.
    expect(
      h
        .events('Budget Drift Repaired')
        .map((e) => (e.detail as { data: { budgetId: string; differences: unknown[] } }).data)
        .filter((d) => d.budgetId === 'bud-1')
        .flatMap((d) => d.differences),
    ).toEqual(
      expect.arrayContaining([{ total: 'unconverted USD recoupable art-1', was: 50_000, ledger: 0 }]),
    );
  });
});
