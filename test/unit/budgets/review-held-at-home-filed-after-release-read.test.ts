import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import type { LedgerWrite } from '#shared/db/budgets.ts';
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

// docs/design.md#budgets: the daily reconciliation writes into a budget's state of an order held
// elsewhere what the order's own budget says of it (`heldAtHome`), "in a write that checks the home's
// state and the other budgets' states of the order are as read (as a release does): a release landing
// in between ... refuses it"; from then on every release "writes the home's word into each other
// budget's state that keeps one". Both take the budgets from the order's filings (EXPENSE-BUDGETS) as
// read once: takeHomeHolding files its budget after its read, settleAcrossBudgets pushes to the
// budgets its own earlier read found. A release that read the filings before the reconciliation filed
// bud-2, and writes the home after the reconciliation wrote bud-2's word, passes both checks and
// pushes nothing to bud-2: bud-2 keeps "the order holds its share" while bud-1 holds none.
describe("review: a release of the order that read its filings before another budget's reconciliation filed it there", () => {
  it("gives the crew's unconverted 220.00 USD its recoupable share once the director's invoice of bud-3 releases the order in bud-1", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    for (const budgetId of ['bud-1', 'bud-2', 'bud-3']) await h.budget(aBudget({ budgetId }));
    // The video's order, 500.00 EUR, in bud-1; the crew's invoice (220.00 USD, no rate yet) in bud-2
    // names it: while the order holds its share, the crew's has none.
    await h.expense(
      anExpense({
        expenseId: 'po-video',
        budgetId: 'bud-1',
        kind: 'commitment',
        amount: { minor: 50_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    await h.expense(
      anExpense({
        expenseId: 'inv-crew',
        budgetId: 'bud-2',
        settles: 'po-video',
        date: '2027-03-04',
        amount: { minor: 22_000, currency: 'USD' },
        recoupable: artist,
      }),
    );
    const directorInBud3 = anExpense({
      expenseId: 'inv-director',
      budgetId: 'bud-3',
      settles: 'po-video',
      amount: { minor: 30_000, currency: 'EUR' },
      recoupable: artist,
    });

    // bud-2's reconciliation reads the order's filings (bud-1 only) and bud-1's word (it holds its
    // share). Before it files bud-2 under the order, the director's invoice arrives in bud-3 and its
    // release of the order reads the filings (bud-1, bud-3); the release's write of bud-1 lands just
    // after bud-2's reconciliation wrote its word.
    const file = h.store.fileExpenseUnder.bind(h.store);
    const write = h.store.writeLedger.bind(h.store);
    let releaseRead!: () => void;
    const releaseHasRead = new Promise<void>((resolve) => {
      releaseRead = resolve;
    });
    let wordWritten!: () => void;
    const bud2HasTheWord = new Promise<void>((resolve) => {
      wordWritten = resolve;
    });
    let director: Promise<unknown> | undefined;
    h.store.fileExpenseUnder = async (labelId: string, expenseId: string, budgetId: string) => {
      if (!director && expenseId === 'po-video' && budgetId === 'bud-2') {
        director = h.expense(directorInBud3, { occurredAt: '2027-03-06T07:00:00.500Z' });
        await releaseHasRead;
      }
      return file(labelId, expenseId, budgetId);
    };
    h.store.writeLedger = async (labelId: string, budgetId: string, ledgerWrite: LedgerWrite) => {
      if (budgetId === 'bud-1' && ledgerWrite.states.some((s) => s.settledElsewhere?.length)) {
        releaseRead();
        await bud2HasTheWord;
      }
      const written = await write(labelId, budgetId, ledgerWrite);
      if (budgetId === 'bud-2' && ledgerWrite.states.some((s) => s.heldAtHome !== undefined)) wordWritten();
      return written;
    };
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');
    await director;
    expect(director).toBeDefined();

    // bud-1 released the order: its 500.00 EUR holds no share there any more...
    const bud1 = await h.ledger('bud-1');
    expect(bud1.states.find((s) => s.expenseId === 'po-video')?.settledElsewhere).toEqual(['inv-director']);
    // ...so the director's 300.00 EUR and the crew's 220.00 USD are the artist's recoupable spend,
    // not the director's alone until bud-2's next reconciliation.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual(
      expect.arrayContaining([
        { currency: 'EUR', minor: 30_000 },
        { currency: 'USD', minor: 22_000 },
      ]),
    );
  });
});
