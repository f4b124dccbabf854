import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: an invoice with no rate yet for its date, and the purchase order it settles,
// count an artist's recoupable money once — in the order's currency while the order holds it, in the
// invoice's own, counted apart, once no order does.

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

/** A budget and a purchase order for the video, 500.00 EUR, wholly recoupable from the artist. */
const withVideoOrder = async (h: ReturnType<typeof budgetsHarness>) => {
  await h.budget(aBudget());
  await h.expense(
    anExpense({
      expenseId: 'po-video',
      kind: 'commitment',
      amount: { minor: 50_000, currency: 'EUR' },
      recoupable: artist,
    }),
  );
};

/** An invoice settling the video's order, in USD, for a date no rate converts yet. */
const unconvertedInvoice = (expenseId: string, minor: number) =>
  anExpense({
    expenseId,
    settles: 'po-video',
    date: '2027-03-04',
    amount: { minor, currency: 'USD' },
    recoupable: artist,
  });

const voidOrder = (h: ReturnType<typeof budgetsHarness>) =>
  h.voidExpense({ expenseId: 'po-video', budgetId: 'bud-1', reason: 'Raised in error' });

describe("an artist's recoupable spend while the invoice of a purchase order has no rate yet", () => {
  it('counts the money once: the order holds its place until a rate lets the invoice take it', async () => {
    const h = budgetsHarness();
    await withVideoOrder(h);
    // ...and its invoice, in USD, for a date no rate converts yet: the order stays committed
    // (docs/design.md#budgets), so the budget counts the money once, in EUR.
    await h.expense(unconvertedInvoice('inv-video', 55_000));

    // One video, recouped once: the accountant is not to charge the artist 500.00 EUR and 550.00 USD.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);
  });
});

describe("an artist's recoupable spend when a purchase order is settled by two invoices, one with no rate yet", () => {
  it("counts the unconverted invoice's share: the order, settled by the other invoice, holds none any more", async () => {
    const h = budgetsHarness();
    await withVideoOrder(h);
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
    await h.expense(unconvertedInvoice('inv-crew', 22_000));

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

describe("an artist's recoupable spend while an invoice with no rate yet names a purchase order the label voided", () => {
  it("counts the invoice's share in its own currency: no order holds the money", async () => {
    const h = budgetsHarness();
    await withVideoOrder(h);
    // The label cancels the order (the video was shot under another one it never sent us)...
    await voidOrder(h);
    // ...and the invoice, in USD for a date no rate converts yet, still names it.
    await h.expense(unconvertedInvoice('inv-video', 55_000));

    // No order is committed, so nothing counts the video but the invoice: 550.00 USD is recoupable,
    // counted apart in its own currency until a rate comes (docs/design.md#budgets), not nothing.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'USD', minor: 55_000 }]);
  });
});

describe("an unconverted invoice's recoupable share when its order loses its own after the invoice was counted", () => {
  it('has none while the order holds it, and its own in the same change once the label voids the order', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await withVideoOrder(h);
    await h.expense(unconvertedInvoice('inv-video', 55_000));
    // The order holds the share: the money counts once, in the order's (docs/design.md#budgets).
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);

    await voidOrder(h);

    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'USD', minor: 55_000 }]);
    // The next daily reconciliation finds nothing to change.
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'USD', minor: 55_000 }]);
    expect(h.events('Budget Drift Repaired')).toEqual([]);
  });
});

describe("an unconverted invoice's recoupable share when the invoice that settled its order is voided", () => {
  it('loses it in the same change as the order gets its own back: the artist is charged the money once', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await withVideoOrder(h);
    // The director's invoice in EUR settles the order; the crew's in USD (no rate yet) is counted apart.
    await h.expense(
      anExpense({
        expenseId: 'inv-director',
        settles: 'po-video',
        amount: { minor: 30_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    await h.expense(unconvertedInvoice('inv-crew', 22_000));

    // The label voids the director's invoice (sent in error): the order is committed again, with its share.
    await h.voidExpense({ expenseId: 'inv-director', budgetId: 'bud-1', reason: 'Sent in error' });

    // Once, in the order's 500.00 EUR; not also the crew's 220.00 USD until the next reconciliation.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);
  });
});

describe("an unconverted invoice's recoupable share when another invoice settles its order after it", () => {
  it('gets it in the same change as the order loses its own: the money is recoupable somewhere at once', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await withVideoOrder(h);
    // The crew's part in USD (no rate yet) first: the order holds the share, the invoice none.
    await h.expense(unconvertedInvoice('inv-crew', 22_000));

    // Then the director's part in EUR, which settles the order.
    await h.expense(
      anExpense({
        expenseId: 'inv-director',
        settles: 'po-video',
        amount: { minor: 30_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );

    expect((await recoupable(h, 'art-1')).recoupable).toEqual(
      expect.arrayContaining([
        { currency: 'EUR', minor: 30_000 },
        { currency: 'USD', minor: 22_000 },
      ]),
    );
  });
});

describe('an unconverted invoice naming an order of another budget that an invoice of its own budget settles', () => {
  it('has its share while that invoice settles the order there, and loses it in the same change as the order gets its own back', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await withVideoOrder(h);
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    // The director's part (EUR), booked to bud-2, settles bud-1's order there: the order holds no share.
    await h.expense(
      anExpense({
        expenseId: 'inv-director',
        budgetId: 'bud-2',
        settles: 'po-video',
        amount: { minor: 30_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    // The crew's part in bud-2 (USD, no rate yet) names it too: recoupable in its own currency.
    await h.expense({ ...unconvertedInvoice('inv-crew', 22_000), budgetId: 'bud-2' });
    expect((await recoupable(h, 'art-1')).recoupable).toEqual(
      expect.arrayContaining([
        { currency: 'EUR', minor: 30_000 },
        { currency: 'USD', minor: 22_000 },
      ]),
    );

    // The label voids the director's invoice: the order holds its share again, the crew's invoice none.
    await h.voidExpense({ expenseId: 'inv-director', budgetId: 'bud-2', reason: 'Sent in error' });

    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);
  });
});
