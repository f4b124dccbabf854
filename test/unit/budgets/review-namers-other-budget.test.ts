import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: an unconverted invoice naming an order has no recoupable share while that
// order holds its own, and the daily reconciliation is the net for "an order released or taken back
// by another budget's invoice".

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

/** The video's purchase order, 500.00 EUR, wholly recoupable. */
const videoOrder = (budgetId: string) =>
  anExpense({
    expenseId: 'po-video',
    budgetId,
    kind: 'commitment',
    amount: { minor: 50_000, currency: 'EUR' },
    recoupable: artist,
  });

/** The crew's invoice naming it, 220.00 USD, for a date no rate converts yet. */
const crewInvoice = (budgetId: string) =>
  anExpense({
    expenseId: 'inv-crew',
    budgetId,
    settles: 'po-video',
    date: '2027-03-04',
    amount: { minor: 22_000, currency: 'USD' },
    recoupable: artist,
  });

describe('an unconverted invoice naming an order of another budget, whose settling invoice of its own budget is voided', () => {
  it('charges the artist the video once after the daily reconciliation: the order holds its share again', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget());
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    await h.expense(videoOrder('bud-1'));
    // The director's invoice (EUR), booked to bud-2, settles bud-1's order; the crew's (USD, no rate)
    // in bud-2 names it too.
    await h.expense(
      anExpense({
        expenseId: 'inv-director',
        budgetId: 'bud-2',
        settles: 'po-video',
        amount: { minor: 30_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    await h.expense(crewInvoice('bud-2'));

    // The label voids the director's invoice: the order in bud-1 is committed again, with its share.
    await h.voidExpense({ expenseId: 'inv-director', budgetId: 'bud-2', reason: 'Sent in error' });
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');

    // Once, in the order's 500.00 EUR; not also the crew's 220.00 USD.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);
  });
});
