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

describe("an artist's recoupable spend while the invoice of a purchase order has no rate yet", () => {
  it('counts the money once: the order holds its place until a rate lets the invoice take it', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    // A purchase order for the video, wholly recoupable from the artist...
    await h.expense(
      anExpense({
        expenseId: 'po-video',
        kind: 'commitment',
        amount: { minor: 50_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    // ...and its invoice, in USD, for a date no rate converts yet: the order stays committed
    // (docs/design.md#budgets), so the budget counts the money once, in EUR.
    await h.expense(
      anExpense({
        expenseId: 'inv-video',
        settles: 'po-video',
        date: '2027-03-04',
        amount: { minor: 55_000, currency: 'USD' },
        recoupable: artist,
      }),
    );

    // One video, recouped once: the accountant is not to charge the artist 500.00 EUR and 550.00 USD.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);
  });
});
