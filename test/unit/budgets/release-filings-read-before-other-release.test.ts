import { describe, expect, it } from 'vitest';
import { counter } from '#shared/budgets/ledger.ts';
import {
  aBudget,
  anExpense,
  anOrderReleasedFromBud3,
  budgetsHarness,
} from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: an order of one budget is released in it while an invoice of another budget
// settles it (settleAcrossBudgets writes the union of the other budgets' settlers, checking their states
// are as read), and whichever release runs last sees both. A release read where the order is filed, then
// the order's state: a budget filed under the order in between, its invoice's release landing before that
// read of the order, was among no state read, so the release wrote the union without it, on the order's
// state as it then stood, and took back the other invoice's release.
describe("the invoice releasing an order in another budget voided while a third budget's invoice settles the order", () => {
  it("keeps the order released by the third budget's invoice", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    for (const budgetId of ['bud-1', 'bud-2', 'bud-3']) await h.budget(aBudget({ budgetId }));
    // The video's order (500.00 EUR) in bud-1, released by the director's invoice (300.00 EUR) in bud-3.
    await anOrderReleasedFromBud3(h);
    // The label voids the director's invoice (booked to the wrong order) and records the crew's invoice
    // settling the video's order in bud-2 (220.00 EUR): the crew's lands, and releases the order, right
    // after the void's release read where the order is filed (bud-1 and bud-3).
    const expenseFiledUnder = h.store.expenseFiledUnder.bind(h.store);
    let armed = false;
    let raced = false;
    h.store.expenseFiledUnder = async (...args: Parameters<typeof expenseFiledUnder>) => {
      const filed = await expenseFiledUnder(...args);
      if (armed && !raced && args[1] === 'po-video') {
        raced = true;
        await h.expense(
          anExpense({
            expenseId: 'inv-crew',
            budgetId: 'bud-2',
            settles: 'po-video',
            amount: { minor: 22_000, currency: 'EUR' },
          }),
          { occurredAt: '2027-03-05T10:01:00.000Z' },
        );
      }
      return filed;
    };
    armed = true;

    await h.voidExpense(
      { expenseId: 'inv-director', budgetId: 'bud-3', reason: 'Wrong order' },
      { occurredAt: '2027-03-05T10:00:00.000Z' },
    );

    expect(raced).toBe(true);
    // The crew's 220.00 EUR is spent in bud-2, and the order it settles commits nothing more in bud-1.
    expect((await h.ledger('bud-2')).totals).toEqual({ [counter.actual('radio')]: 22_000 });
    expect((await h.ledger('bud-1')).totals).toEqual({});
    const order = (await h.ledger('bud-1')).states.find((s) => s.expenseId === 'po-video');
    expect(order?.settledElsewhere).toEqual(['inv-crew']);
  });
});
