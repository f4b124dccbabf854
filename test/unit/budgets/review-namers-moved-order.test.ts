import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: an unconverted invoice naming an order has no recoupable share while that
// order holds its own; "an order the budget's ledger does not hold (never sent, or of another budget)
// is taken to hold it".

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

describe('an unconverted invoice whose order the label books to another budget', () => {
  it('charges the artist the video once: the order, of another budget now, still holds its share there', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget());
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    await h.expense(videoOrder('bud-1'), { occurredAt: '2027-03-05T08:00:00.000Z' });
    await h.expense(crewInvoice('bud-1'), { occurredAt: '2027-03-05T08:01:00.000Z' });
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);

    // The label moves the order to the video's own budget (an amendment naming bud-2).
    await h.amend(videoOrder('bud-2'), { occurredAt: '2027-03-05T09:00:00.000Z' });

    // Still 500.00 EUR, in bud-2's order: not also the crew's 220.00 USD in bud-1.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);
  });
});
