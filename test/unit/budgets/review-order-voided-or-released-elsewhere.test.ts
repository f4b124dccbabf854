import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: once an order holds no recoupable share of its own (another invoice settled
// it, or the label voided it), an unconverted invoice naming it has its share counted apart in its own
// currency, "or the money would be recoupable nowhere until a rate comes". The design names the case
// it does not keep yet: an order voided, or released, only in another budget than the invoice's.

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

/** The video's purchase order in bud-1, 500.00 EUR, wholly recoupable from the artist. */
const videoOrder = anExpense({
  expenseId: 'po-video',
  budgetId: 'bud-1',
  kind: 'commitment',
  amount: { minor: 50_000, currency: 'EUR' },
  recoupable: artist,
});

/** The director's invoice settling the video's order, 300.00 EUR, booked to `budgetId`. */
const directorInvoice = (budgetId: string) =>
  anExpense({
    expenseId: 'inv-director',
    budgetId,
    settles: 'po-video',
    amount: { minor: 30_000, currency: 'EUR' },
    recoupable: artist,
  });

/** The crew's invoice in bud-2 naming the video's order, 220.00 USD, for a date no rate converts yet. */
const crewInvoice = anExpense({
  expenseId: 'inv-crew',
  budgetId: 'bud-2',
  settles: 'po-video',
  date: '2027-03-04',
  amount: { minor: 22_000, currency: 'USD' },
  recoupable: artist,
});

/** Three budgets of the label, the video's order in bud-1. */
const threeBudgetsAndTheOrder = async () => {
  const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
  for (const budgetId of ['bud-1', 'bud-2', 'bud-3']) await h.budget(aBudget({ budgetId }));
  await h.expense(videoOrder);
  return h;
};

describe('review: an unconverted invoice whose order is voided, or released, only in another budget', () => {
  it('gets its recoupable share once the order, voided in bud-1, is settled by nothing of its own budget', async () => {
    const h = await threeBudgetsAndTheOrder();
    // The director's invoice (EUR) and the crew's (USD, no rate yet), both in bud-2, settle the order.
    await h.expense(directorInvoice('bud-2'));
    await h.expense(crewInvoice);
    // The label voids the order in bud-1 (the video was shot under another one), then the director's
    // invoice (sent in error): nothing holds the video's money but the crew's invoice.
    await h.voidExpense({ expenseId: 'po-video', budgetId: 'bud-1', reason: 'Raised in error' });
    await h.voidExpense({ expenseId: 'inv-director', budgetId: 'bud-2', reason: 'Sent in error' });
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');

    // The crew's 220.00 USD is recoupable in its own currency, not nowhere until a rate comes.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'USD', minor: 22_000 }]);
  });

  it('gets its recoupable share while an invoice of a third budget settles the order in bud-1', async () => {
    const h = await threeBudgetsAndTheOrder();
    // The director's invoice (EUR), booked to bud-3, settles the order: bud-1 releases its money.
    await h.expense(directorInvoice('bud-3'));
    // The crew's invoice in bud-2 (USD, no rate yet) names it too.
    await h.expense(crewInvoice);
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');

    // The order holds no share: the director's 300.00 EUR and the crew's 220.00 USD are recoupable.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual(
      expect.arrayContaining([
        { currency: 'EUR', minor: 30_000 },
        { currency: 'USD', minor: 22_000 },
      ]),
    );
    expect((await recoupable(h, 'art-1')).recoupable).toHaveLength(2);
  });
});

describe("an unconverted invoice whose order's own budget wrote, at a reconciliation, that it holds no share (docs/design.md#budgets)", () => {
  it("follows the order's own budget at its writes: no share once the third budget's invoice is voided, one again when it settles the order again", async () => {
    const h = await threeBudgetsAndTheOrder();
    await h.expense(directorInvoice('bud-3'));
    await h.expense(crewInvoice);
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');

    await h.voidExpense({ expenseId: 'inv-director', budgetId: 'bud-3', reason: 'Sent in error' });
    const afterTheVoid = (await recoupable(h, 'art-1')).recoupable;
    await h.expense(directorInvoice('bud-3'), { occurredAt: '2027-03-06T09:00:00.000Z' });

    // The order holds the video's money again: the crew's 220.00 USD has no share, with no reconciliation.
    expect(afterTheVoid).toEqual([{ currency: 'EUR', minor: 50_000 }]);
    // Settled again by the director's invoice: the crew's share is back.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual(
      expect.arrayContaining([{ currency: 'USD', minor: 22_000 }]),
    );
  });
});
