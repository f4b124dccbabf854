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

describe("an artist's recoupable spend when a purchase order is settled by two invoices, one with no rate yet", () => {
  it("counts the unconverted invoice's share: the order, settled by the other invoice, holds none any more", async () => {
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
    // ...invoiced in two parts: the director's part in EUR, which settles the order (it is no longer
    // committed, nor is its recoupable share counted)...
    await h.expense(
      anExpense({
        expenseId: 'inv-director',
        settles: 'po-video',
        amount: { minor: 30_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    // ...and the crew's part in USD, for a date no rate converts yet.
    await h.expense(
      anExpense({
        expenseId: 'inv-crew',
        settles: 'po-video',
        date: '2027-03-04',
        amount: { minor: 22_000, currency: 'USD' },
        recoupable: artist,
      }),
    );

    // The order holds nothing now, so the crew's 220.00 USD is recoupable in its own currency, or the
    // artist is never charged for it until a rate comes (docs/design.md#budgets: counted apart).
    expect((await recoupable(h, 'art-1')).recoupable).toEqual(
      expect.arrayContaining([
        { currency: 'EUR', minor: 30_000 },
        { currency: 'USD', minor: 22_000 },
      ]),
    );
  });
});
