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

describe("an artist's recoupable spend while an invoice with no rate yet names a purchase order the label voided", () => {
  it("counts the invoice's share in its own currency: no order holds the money", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(
      anExpense({
        expenseId: 'po-video',
        kind: 'commitment',
        amount: { minor: 50_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    // The label cancels the order (the video was shot under another one it never sent us)...
    await h.voidExpense({ expenseId: 'po-video', budgetId: 'bud-1', reason: 'Raised in error' });
    // ...and the invoice, in USD for a date no rate converts yet, still names it.
    await h.expense(
      anExpense({
        expenseId: 'inv-video',
        settles: 'po-video',
        date: '2027-03-04',
        amount: { minor: 55_000, currency: 'USD' },
        recoupable: artist,
      }),
    );

    // No order is committed, so nothing counts the video but the invoice: 550.00 USD is recoupable,
    // counted apart in its own currency until a rate comes (docs/design.md#budgets), not nothing.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'USD', minor: 55_000 }]);
  });
});
