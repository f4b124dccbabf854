import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import type { LedgerWrite } from '#shared/db/budgets.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: the daily reconciliation of a budget writes into its state of an order held
// elsewhere what the order's own budget says of it (`heldAtHome`), and from then on every release
// writes the home's word there: an unconverted invoice naming the order has a share of its own only
// while the order holds none, never both.

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

describe("review: the order's own budget changes its word while another budget's reconciliation takes it", () => {
  it("charges the artist the order's 500.00 EUR alone once the third budget's invoice is voided during bud-2's reconciliation", async () => {
    const h = await threeBudgetsAndTheOrder();
    // The director's invoice, booked to bud-3, settles the order in bud-1: bud-1 releases its money.
    await h.expense(directorInvoice('bud-3'));
    await h.expense(crewInvoice);
    // While bud-2's reconciliation takes bud-1's word of the order (released: no share there), the
    // label voids the director's invoice: the order holds the video's money again.
    const write = h.store.writeLedger.bind(h.store);
    let voided = false;
    h.store.writeLedger = async (labelId: string, budgetId: string, ledgerWrite: LedgerWrite) => {
      if (
        !voided &&
        budgetId === 'bud-2' &&
        ledgerWrite.states.some((s) => s.expenseId === 'po-video' && s.heldAtHome !== undefined)
      ) {
        voided = true;
        await h.voidExpense(
          { expenseId: 'inv-director', budgetId: 'bud-3', reason: 'Sent in error' },
          { occurredAt: '2027-03-06T07:00:00.500Z' },
        );
      }
      return write(labelId, budgetId, ledgerWrite);
    };
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');
    expect(voided).toBe(true);

    // The order holds its 500.00 EUR; the crew's 220.00 USD, part of it, is not recoupable on top.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);
  });
});
