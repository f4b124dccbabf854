import { describe, expect, it } from 'vitest';
import { aBudget, anExpense, budgetsHarness, throttleFirstRelease } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: a recoupable share counted apart (no rate yet) "is in no running total", and "a
// release the reconciliation repairs that takes such a share off its order (or gives it one) states it so
// too ... beside the totals it changes". A share the order counts in the budget's own currency is not
// counted apart: it is in the running totals (`recoupable art-1`), so the totals' drift states it already.
const artist = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };

describe('a release of a converted order lost between budgets, repaired by the reconciliation (512c3d7)', () => {
  it("states the artist's 500.00 EUR share once, in the totals, not again as an unconverted EUR share", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    // The video's order, 500.00 EUR in a EUR budget: converted, its share in the totals.
    await h.expense(
      anExpense({
        expenseId: 'po-video',
        kind: 'commitment',
        amount: { minor: 50_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    // The director's invoice settling it (300.00 EUR), booked to bud-3, set late; the release into bud-1 is lost.
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

    expect(
      (await h.ledger('bud-1')).states.find((s) => s.expenseId === 'po-video')?.settledElsewhere,
    ).toEqual(['inv-director']);
    // bud-1's owner is told the order's 500.00 EUR commitment and the artist's 500.00 EUR share left the
    // totals: the share once, not also as an 'unconverted EUR' share no rate was missing for.
    const stated = h
      .events('Budget Drift Repaired')
      .map((e) => (e.detail as { data: { budgetId: string; differences: unknown[] } }).data)
      .filter((d) => d.budgetId === 'bud-1')
      .flatMap((d) => d.differences);
    expect(stated).toEqual([
      { total: 'committed radio', was: 50_000, ledger: 0 },
      { total: 'recoupable art-1', was: 50_000, ledger: 0 },
    ]);
    // The metric counts the 1,000.00 EUR the repair moved (commitment and share), not 1,500.00.
    expect(h.measure.totals('ReconciliationDrift')).toEqual({ EUR: 100_000 });
  });
});
