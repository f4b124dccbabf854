import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/** GET /labels/{labelId}/artists/{artistId}/recoupable, as the management API answers it. */
const recoupable = async (h: ReturnType<typeof budgetsHarness>, artistId: string) => {
  const route = budgetRoutes({
    budgets: h.store,
    now: () => new Date('2027-03-10T12:00:00Z'),
    timeZone: 'UTC',
  }).find((r) => r.method === 'GET' && r.path === '/labels/{labelId}/artists/{artistId}/recoupable')!;
  const answer = (await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
    headers: {},
    isBase64Encoded: false,
    pathParameters: { labelId: h.labelId, artistId },
  } as never)) as { body: string };
  return JSON.parse(answer.body) as { recoupable: { currency: string; minor: number }[] };
};

const artist = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };

// docs/design.md#budgets: the reconciliation is the safety net of releases across budgets ("each
// budget's reconciliation ... recomputes who settles each order"), and since 74f15bc "a release the
// reconciliation runs as a repair writes no other budget's word: each budget's own reconciliation takes
// it (takeHomeHolding) ... whichever budget is reconciled first". The budget keeping the word (bud-2,
// the crew's unconverted invoice) is reconciled before the budget that repairs the lost release (bud-3,
// the director's invoice, the only one whose states involve the release): bud-2 takes bud-1's word as
// it stood before the repair (the order holds its share), the repair then pushes nothing, and the crew's
// share is recoupable nowhere after the day's reconciliation of every budget, until the next day's.
// Before 74f15bc the repair's push gave it back the same day (without stating it).
describe("review: a release lost between budgets, repaired by a budget reconciled after the one keeping the order's word", () => {
  it("gives the crew's unconverted 220.00 USD its recoupable share at the day's reconciliation that releases the order", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    // The video's order, 500.00 EUR, in bud-1; the director's invoice (300.00 EUR) settling it is booked
    // to bud-3, not set yet (held, it settles nothing); the crew's invoice (220.00 USD, no rate yet) in
    // bud-2 names the order.
    await h.expense(
      anExpense({
        expenseId: 'po-video',
        budgetId: 'bud-1',
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
    await h.expense(
      anExpense({
        expenseId: 'inv-crew',
        budgetId: 'bud-2',
        settles: 'po-video',
        date: '2027-03-04',
        amount: { minor: 22_000, currency: 'USD' },
        recoupable: artist,
      }),
    );
    // bud-3 is set: its recount counts the director's invoice, which now settles the order; the release
    // in bud-1 (the write with checks) is throttled, and the redelivery of the same Budget Set finds
    // the invoice counted already: the release is lost, for the reconciliation to repair.
    const writeLedger = h.store.writeLedger.bind(h.store);
    let failed = false;
    h.store.writeLedger = async (labelId, budgetId, write) => {
      if (!failed && (write.checks?.length ?? 0) > 0) {
        failed = true;
        throw new Error('ProvisionedThroughputExceededException');
      }
      return writeLedger(labelId, budgetId, write);
    };
    const occurredAt = '2027-03-05T09:00:00.000Z';
    await expect(h.budget(aBudget({ budgetId: 'bud-3' }), occurredAt)).rejects.toThrow();
    await h.budget(aBudget({ budgetId: 'bud-3' }), occurredAt);
    expect(failed).toBe(true);
    expect((await h.ledger('bud-1')).states.find((s) => s.expenseId === 'po-video')?.settledElsewhere).toBe(
      undefined,
    );

    // The day's reconciliation of every budget (bud-1, bud-2, bud-3, in that order).
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');

    // The release is repaired: the order holds no share in bud-1 any more...
    expect(
      (await h.ledger('bud-1')).states.find((s) => s.expenseId === 'po-video')?.settledElsewhere,
    ).toEqual(['inv-director']);
    // ...so after the day's run the director's 300.00 EUR and the crew's 220.00 USD are the artist's
    // recoupable spend, not the director's alone until the next day's reconciliation.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual(
      expect.arrayContaining([
        { currency: 'EUR', minor: 30_000 },
        { currency: 'USD', minor: 22_000 },
      ]),
    );
  });
});
