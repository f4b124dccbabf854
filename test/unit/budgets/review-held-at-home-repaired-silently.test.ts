import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import type { LedgerWrite } from '#shared/db/budgets.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: the order's own budget's word is kept on the other budgets' states of it
// (`heldAtHome`); a release whose write of it fails "is left to the next reconciliation", and a
// reconciliation that repairs an unconverted invoice's recoupable share states it as drift
// (Budget Drift Repaired), whichever budget's reconciliation comes first.

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

describe("review: the order's own budget's word lost on its way to another budget, repaired at a reconciliation", () => {
  it("states Budget Drift Repaired for the crew's share the reconciliation gives back, also when the order's budget is reconciled first", async () => {
    const h = await threeBudgetsAndTheOrder();
    // The director's invoice, booked to bud-3, settles the order in bud-1: bud-1 releases its money.
    await h.expense(directorInvoice('bud-3'));
    await h.expense(crewInvoice);
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');
    // The director's invoice is voided, and sent again: the order is released again in bud-1, but the
    // write of bud-1's word into bud-2 is refused (a change in bud-2 since it was read), so the crew's
    // invoice is left without its share, for the next reconciliation to repair.
    await h.voidExpense({ expenseId: 'inv-director', budgetId: 'bud-3', reason: 'Sent in error' });
    const write = h.store.writeLedger.bind(h.store);
    let refuse = true;
    h.store.writeLedger = async (labelId: string, budgetId: string, ledgerWrite: LedgerWrite) => {
      if (
        refuse &&
        budgetId === 'bud-2' &&
        ledgerWrite.states.some((s) => s.expenseId === 'po-video' && s.heldAtHome === false)
      ) {
        refuse = false;
        return false;
      }
      return write(labelId, budgetId, ledgerWrite);
    };
    await h.expense(directorInvoice('bud-3'), { occurredAt: '2027-03-06T09:00:00.000Z' });
    expect(refuse).toBe(false);
    const beforeTheReconciliation = (await recoupable(h, 'art-1')).recoupable;

    h.setNow('2027-03-07T07:00:00.000Z');
    await h.reconcile('2027-03-07');

    // The reconciliation gave the crew's 220.00 USD its share back...
    expect(beforeTheReconciliation).toEqual([{ currency: 'EUR', minor: 30_000 }]);
    expect((await recoupable(h, 'art-1')).recoupable).toEqual(
      expect.arrayContaining([{ currency: 'USD', minor: 22_000 }]),
    );
    // ...and says so, as it does when bud-2's own reconciliation repairs it.
    expect(
      h
        .events('Budget Drift Repaired')
        .map((e) => (e.detail as { data: { budgetId: string; date: string; differences: unknown } }).data)
        .filter((d) => d.date === '2027-03-07'),
    ).toEqual([
      expect.objectContaining({
        budgetId: 'bud-2',
        date: '2027-03-07',
        differences: [{ total: 'unconverted USD recoupable art-1', was: 0, ledger: 22_000 }],
      }),
    ]);
  });
});
