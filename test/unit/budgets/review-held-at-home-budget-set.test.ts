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

// docs/design.md#budgets: the other budgets' states of an order keep its home's word (`heldAtHome`), and
// "from then on every run of the release after a write of the order ... writes the home's word into
// each other budget's state that keeps one and says otherwise ... (`pushHolding`)", so that the artist's
// recoupable spend "counts the money neither twice nor nowhere between two reconciliations". The order's
// budget set late counts the order (held until then, counting nowhere and holding no share) with its
// share: a write of the order that runs no release (setBudget -> reevaluate releases only orders whose
// settlers changed), so bud-2 keeps the word "no share" and its crew invoice its own share beside the
// order's, until bud-2's next reconciliation.
describe("review: the order's own budget set after another budget took its word", () => {
  it("charges the artist the video once: the crew's unconverted 220.00 USD loses its share when bud-1's terms count the order with its own", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    // The video's order, 500.00 EUR, booked to bud-1, whose terms the label has not sent yet (held);
    // the crew's invoice (220.00 USD, no rate yet) in bud-2 names it.
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
        expenseId: 'inv-crew',
        budgetId: 'bud-2',
        settles: 'po-video',
        date: '2027-03-04',
        amount: { minor: 22_000, currency: 'USD' },
        recoupable: artist,
      }),
    );
    // bud-2's reconciliation takes bud-1's word: the order, counted nowhere, holds no share.
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'USD', minor: 22_000 }]);

    // The label sends bud-1's terms: the order counts there, with its 500.00 EUR share.
    await h.budget(aBudget({ budgetId: 'bud-1' }), '2027-03-06T09:00:00.000Z');

    // The crew's 220.00 USD is part of the video's order: not recoupable on top of its 500.00 EUR.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);
  });
});
