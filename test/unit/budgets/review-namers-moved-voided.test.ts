import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: "once the order holds none (another invoice settled it, or the label voided
// it) the actual's share is counted apart in its own currency ... or the money would be recoupable
// nowhere until a rate comes"; a void is written into every budget that had the order's data.

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

const videoOrder = (budgetId: string) =>
  anExpense({
    expenseId: 'po-video',
    budgetId,
    kind: 'commitment',
    amount: { minor: 50_000, currency: 'EUR' },
    recoupable: artist,
  });

describe('an unconverted invoice naming an order the label moved to another budget and then voided', () => {
  it('gets its recoupable share: the voided order holds none, in bud-1 as in bud-2', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget());
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    // The video's order in bud-1, and the crew's invoice in USD (no rate yet) naming it: the order
    // holds the share, the invoice none.
    await h.expense(videoOrder('bud-1'));
    await h.expense(
      anExpense({
        expenseId: 'inv-crew',
        settles: 'po-video',
        date: '2027-03-04',
        amount: { minor: 22_000, currency: 'USD' },
        recoupable: artist,
      }),
    );
    // The label books the order to bud-2, then voids it (the video was shot under another order).
    await h.amend(videoOrder('bud-2'), { occurredAt: '2027-03-05T09:00:00.000Z' });
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);
    await h.voidExpense(
      { expenseId: 'po-video', budgetId: 'bud-2', reason: 'Raised in error' },
      { occurredAt: '2027-03-05T10:00:00.000Z' },
    );

    // No order holds the video: the crew's 220.00 USD is recoupable, not nowhere...
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'USD', minor: 22_000 }]);
    // ...nor after the daily reconciliation.
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'USD', minor: 22_000 }]);
  });
});
