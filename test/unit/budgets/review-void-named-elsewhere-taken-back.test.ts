import { describe, expect, it } from 'vitest';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: "A void cancels the expense by its id, whichever of its budgets it names",
// an expense's versions count "in any order: the label's timestamp decides" (a state counts while it
// has data and no later void), and an unconverted invoice naming an order has no recoupable share
// while the order holds its own: the artist is charged the video once.

const artist = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };

/** The video's purchase order in bud-1, 500.00 EUR, wholly recoupable from the artist. */
const videoOrder = anExpense({
  expenseId: 'po-video',
  kind: 'commitment',
  amount: { minor: 50_000, currency: 'EUR' },
  recoupable: artist,
});

describe('review: an order voided through another budget and then amended again by the label', () => {
  it('charges the artist the video once: the order counts again with its share, the unconverted invoice has none', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget());
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    await h.expense(videoOrder, { occurredAt: '2027-03-05T08:00:00.000Z' });
    // The crew's invoice, booked to bud-2 (220.00 USD, no rate yet), names the order: no share of its own.
    await h.expense(
      anExpense({
        expenseId: 'inv-crew',
        budgetId: 'bud-2',
        settles: 'po-video',
        date: '2027-03-04',
        amount: { minor: 22_000, currency: 'USD' },
        recoupable: artist,
      }),
      { occurredAt: '2027-03-05T08:01:00.000Z' },
    );
    // The label voids the order, naming the budget of the invoice at hand (bud-2)...
    await h.voidExpense(
      { expenseId: 'po-video', budgetId: 'bud-2', reason: 'Raised in error' },
      { occurredAt: '2027-03-05T09:00:00.000Z' },
    );
    // ...and takes it back: the order, amended later, stands in bud-1 with its 500.00 EUR.
    await h.amend(videoOrder, { occurredAt: '2027-03-05T10:00:00.000Z' });
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');

    // The video once, in the order's 500.00 EUR: not also the crew's 220.00 USD.
    expect(await h.store.recoupable(h.labelId, 'art-1')).toEqual([
      { budgetId: 'bud-1', expenseId: 'po-video', amount: { minor: 50_000, currency: 'EUR' } },
    ]);
  });
});
