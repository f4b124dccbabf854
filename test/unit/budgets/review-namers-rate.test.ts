import { describe, expect, it } from 'vitest';
import { counter } from '#shared/budgets/ledger.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: the write that gives an order its recoupable share back counts again the
// unconverted invoices naming it (`namedBy`), "the artist's recoupable spend never counts the money
// twice". A rate for such an invoice's date may have come since it was counted (rates are taken at
// the next daily reconciliation): the invoice is then to settle the order, or to stay as it was.

const artist = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };

const totalsOf = async (h: ReturnType<typeof budgetsHarness>) =>
  (await h.store.runningTotals(h.labelId, 'bud-1')) as Record<string, number>;

describe("the order's settling invoice voided after a rate came for an unconverted invoice naming it", () => {
  it('counts the video once: the order is not committed again beside the invoice now counted in EUR', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget());
    // A purchase order for the video, 500.00 EUR, wholly recoupable from the artist.
    await h.expense(
      anExpense({
        expenseId: 'po-video',
        kind: 'commitment',
        amount: { minor: 50_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    // The director's invoice in EUR settles it; the crew's in USD (no rate yet) is counted apart.
    await h.expense(
      anExpense({
        expenseId: 'inv-director',
        settles: 'po-video',
        amount: { minor: 30_000, currency: 'EUR' },
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
    // The manager puts the rate for the crew's date; the next reconciliation is tomorrow.
    await h.store.putRates('2027-03-04', { 'USD/EUR': '0.9' }, '2027-03-05T09:00:00.000Z');

    // The label voids the director's invoice (sent in error).
    await h.voidExpense({ expenseId: 'inv-director', budgetId: 'bud-1', reason: 'Sent in error' });

    // The video is counted once: either the order committed (the crew's invoice still apart) or the
    // crew's invoice in EUR settling the order; never the order's 500.00 EUR committed and recoupable
    // beside the crew's 198.00 EUR spent and recoupable.
    const totals = await totalsOf(h);
    const video = {
      spent: (totals[counter.committed('radio')] ?? 0) + (totals[counter.actual('radio')] ?? 0),
      recoupable: totals[counter.recoupable('art-1')],
    };
    expect([
      { spent: 50_000, recoupable: 50_000 },
      { spent: 19_800, recoupable: 19_800 },
    ]).toContainEqual(video);
  });
});
