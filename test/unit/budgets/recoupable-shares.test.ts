import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import { counter } from '#shared/budgets/ledger.ts';
import type { LedgerWrite } from '#shared/db/budgets.ts';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import {
  aBudget,
  anExpense,
  artistInFull,
  budgetsHarness,
  driftStated,
  loseRelease,
  lostRelease,
  unconvertedOrdersSettledInBud3,
} from '#test/support/budgets-harness.ts';
import { refusedOnceAfterLanding } from '#test/support/dynamo-errors.ts';
import { InMemoryLabels } from '#test/support/intake.ts';

// docs/design.md#budgets: an invoice with no rate yet for its date, and the purchase order it settles,
// count an artist's recoupable money once — in the order's currency while the order holds it, in the
// invoice's own, counted apart, once no order does. An order the budget's ledger does not hold (never
// sent, or of another budget) is taken to hold it; a void is written into every budget that had the
// order's data; the write that gives an order its share back counts again the unconverted invoices
// naming it (`namedBy`), in the same transaction, as does the release of an order by another budget's
// invoice (or its taking back); the daily reconciliation is the net for what a write does not see.

/** GET /labels/{labelId}/artists/{artistId}/recoupable, as the management API answers it. */
const recoupable = async (h: ReturnType<typeof budgetsHarness>, artistId: string) => {
  const route = budgetRoutes({
    budgets: h.store,
    labels: new InMemoryLabels(),
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

/** The video's purchase order, 500.00 EUR, wholly recoupable from the artist. */
const videoOrder = (budgetId = 'bud-1') =>
  anExpense({
    expenseId: 'po-video',
    budgetId,
    kind: 'commitment',
    amount: { minor: 50_000, currency: 'EUR' },
    recoupable: artistInFull,
  });

/** A budget and a purchase order for the video, 500.00 EUR, wholly recoupable from the artist. */
const withVideoOrder = async (h: ReturnType<typeof budgetsHarness>) => {
  await h.budget(aBudget());
  await h.expense(videoOrder());
};

/** An invoice settling the video's order, in USD, for a date no rate converts yet. */
const unconvertedInvoice = (expenseId: string, minor: number) =>
  anExpense({
    expenseId,
    settles: 'po-video',
    date: '2027-03-04',
    amount: { minor, currency: 'USD' },
    recoupable: artistInFull,
  });

/** The crew's invoice naming the video's order, 220.00 USD, for a date no rate converts yet. */
const crewInvoice = (budgetId = 'bud-1') => ({ ...unconvertedInvoice('inv-crew', 22_000), budgetId });

/** The director's invoice settling the video's order, 300.00 EUR. */
const directorInvoice = (budgetId = 'bud-1') =>
  anExpense({
    expenseId: 'inv-director',
    budgetId,
    settles: 'po-video',
    amount: { minor: 30_000, currency: 'EUR' },
    recoupable: artistInFull,
  });

/** The sum of the differences a list of drift entries states, in minor units. */
const driftSum = (differences: { was: number; ledger: number }[]) =>
  differences.reduce((total, d) => total + Math.abs(d.ledger - d.was), 0);

/** The budget's running totals, by counter. */
const totalsOf = async (h: ReturnType<typeof budgetsHarness>) =>
  (await h.store.runningTotals(h.labelId, 'bud-1')).totals as Record<string, number>;

const voidOrder = (h: ReturnType<typeof budgetsHarness>) =>
  h.voidExpense({ expenseId: 'po-video', budgetId: 'bud-1', reason: 'Raised in error' });

/** The day's reconciliation of every budget, run at 07:00 UTC that day. */
const reconcileOn = async (h: ReturnType<typeof budgetsHarness>, date: string) => {
  h.setNow(`${date}T07:00:00.000Z`);
  await h.reconcile(date);
};

/** The director's 300.00 EUR and the crew's 220.00 USD, among the artist's recoupable spend. */
const directorAndCrew = expect.arrayContaining([
  { currency: 'EUR', minor: 30_000 },
  { currency: 'USD', minor: 22_000 },
]);

/** The video's order's state in `budgetId`'s ledger. */
const orderIn = async (h: ReturnType<typeof budgetsHarness>, budgetId = 'bud-1') =>
  (await h.ledger(budgetId)).states.find((s) => s.expenseId === 'po-video');

/** The artist's recoupable money in `budgetId`, by expense, as the recoupable route sums it. */
const sharesIn = async (h: ReturnType<typeof budgetsHarness>, budgetId: string) =>
  (await h.store.recoupable(h.labelId, 'art-1')).filter((share) => share.budgetId === budgetId);

/** The crew's 220.00 USD, bud-1's one recoupable share. */
const crewShareInBud1 = [
  { budgetId: 'bud-1', expenseId: 'inv-crew', amount: { minor: 22_000, currency: 'USD' } },
];

/** What each Budget Drift Repaired said, in the order they were published. */
const driftRepaired = (h: ReturnType<typeof budgetsHarness>) =>
  h.events('Budget Drift Repaired').map(
    (e) =>
      (
        e.detail as {
          data: { budgetId: string; date: string; differences: { was: number; ledger: number }[] };
        }
      ).data,
  );

/**
 * bud-1 set (and `others`), the video's order in bud-1, and the crew's invoice in bud-1 naming it
 * (220.00 USD, no rate yet): the order holds the artist's share, the crew's invoice none.
 */
const theOrderAndTheCrewInBud1 = async (...others: string[]) => {
  const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
  for (const budgetId of ['bud-1', ...others]) await h.budget(aBudget({ budgetId }));
  await h.expense(videoOrder());
  await h.expense(crewInvoice());
  return h;
};

/**
 * The video's order in bud-1 named by `count` of the crew's invoices (10.00 USD each, no rate yet), none
 * with a share; then the label voids the order: more invoices name it than its write can count again.
 */
const aVoidedOrderNamedBy = async (count: number) => {
  const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
  await withVideoOrder(h);
  for (let n = 1; n <= count; n++) await h.expense(unconvertedInvoice(`inv-crew-${n}`, 1_000));
  await voidOrder(h);
  return h;
};

/** The second transaction of the reconciliation's share repair answered by `instead` (written otherwise); answers how many were tried. */
const onTheRepairsSecondWrite = (h: ReturnType<typeof budgetsHarness>, instead: () => Promise<boolean>) => {
  const write = h.store.writeLedger.bind(h.store);
  let repairs = 0;
  h.store.writeLedger = async (labelId: string, budgetId: string, ledgerWrite: LedgerWrite) =>
    ledgerWrite.drift && ledgerWrite.states.length > 0 && ++repairs === 2
      ? instead()
      : write(labelId, budgetId, ledgerWrite);
  return () => repairs;
};

/** Three budgets of the label, the video's order in bud-1. */
const threeBudgetsAndTheOrder = async () => {
  const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
  for (const budgetId of ['bud-1', 'bud-2', 'bud-3']) await h.budget(aBudget({ budgetId }));
  await h.expense(videoOrder());
  return h;
};

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
    await h.expense(directorInvoice());
    // ...and the crew's part in USD, for a date no rate converts yet.
    await h.expense(unconvertedInvoice('inv-crew', 22_000));

    // The order holds nothing now, so the crew's 220.00 USD is recoupable in its own currency, or the
    // artist is never charged for it until a rate comes (docs/design.md#budgets: counted apart).
    expect((await recoupable(h, 'art-1')).recoupable).toEqual(directorAndCrew);
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
    await reconcileOn(h, '2027-03-06');
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'USD', minor: 55_000 }]);
    expect(h.events('Budget Drift Repaired')).toEqual([]);
  });
});

describe("an unconverted invoice's recoupable share when the invoice that settled its order is voided", () => {
  it('loses it in the same change as the order gets its own back: the artist is charged the money once', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await withVideoOrder(h);
    // The director's invoice in EUR settles the order; the crew's in USD (no rate yet) is counted apart.
    await h.expense(directorInvoice());
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
    await h.expense(directorInvoice());

    expect((await recoupable(h, 'art-1')).recoupable).toEqual(directorAndCrew);
  });
});

describe('an unconverted invoice naming an order of another budget that an invoice of its own budget settles', () => {
  it('has its share while that invoice settles the order there, and loses it in the same change as the order gets its own back', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await withVideoOrder(h);
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    // The director's part (EUR), booked to bud-2, settles bud-1's order there: the order holds no share.
    await h.expense(directorInvoice('bud-2'));
    // The crew's part in bud-2 (USD, no rate yet) names it too: recoupable in its own currency.
    await h.expense(crewInvoice('bud-2'));
    expect((await recoupable(h, 'art-1')).recoupable).toEqual(directorAndCrew);

    // The label voids the director's invoice: the order holds its share again, the crew's invoice none.
    await h.voidExpense({ expenseId: 'inv-director', budgetId: 'bud-2', reason: 'Sent in error' });

    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);
  });
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

describe('an unconverted invoice naming an order the label moved to another budget and then voided', () => {
  it('gets its recoupable share: the voided order holds none, in bud-1 as in bud-2', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget());
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    // The video's order in bud-1, and the crew's invoice in USD (no rate yet) naming it: the order
    // holds the share, the invoice none.
    await h.expense(videoOrder('bud-1'));
    await h.expense(crewInvoice('bud-1'));
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
    await reconcileOn(h, '2027-03-06');
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'USD', minor: 22_000 }]);
  });
});

describe('an unconverted invoice naming an order of another budget, whose settling invoice of its own budget is voided', () => {
  it('charges the artist the video once after the daily reconciliation: the order holds its share again', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget());
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    await h.expense(videoOrder('bud-1'));
    // The director's invoice (EUR), booked to bud-2, settles bud-1's order; the crew's (USD, no rate)
    // in bud-2 names it too.
    await h.expense(directorInvoice('bud-2'));
    await h.expense(crewInvoice('bud-2'));

    // The label voids the director's invoice: the order in bud-1 is committed again, with its share.
    await h.voidExpense({ expenseId: 'inv-director', budgetId: 'bud-2', reason: 'Sent in error' });
    await reconcileOn(h, '2027-03-06');

    // Once, in the order's 500.00 EUR; not also the crew's 220.00 USD.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);
  });
});

describe("the order's settling invoice voided after a rate came for an unconverted invoice naming it", () => {
  it('counts the video once: the order is not committed again beside the invoice now counted in EUR', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await withVideoOrder(h);
    // The director's invoice in EUR settles it; the crew's in USD (no rate yet) is counted apart.
    await h.expense(directorInvoice());
    await h.expense(crewInvoice());
    // The manager puts the rate for the crew's date; the next reconciliation is tomorrow. A rate may
    // come after an invoice was counted (rates are taken at the next daily reconciliation): the
    // invoice is then to settle the order, or to stay as it was.
    await h.store.putRates('2027-03-04', { 'USD/EUR': '0.9' }, '2027-03-05T09:00:00.000Z');

    // The label voids the director's invoice (sent in error).
    await h.voidExpense({ expenseId: 'inv-director', budgetId: 'bud-1', reason: 'Sent in error' });

    // The video is counted once: either the order committed (the crew's invoice still apart) or the
    // crew's invoice in EUR settling the order; never the order's 500.00 EUR committed and recoupable
    // beside the crew's 198.00 EUR spent and recoupable.
    const totals = await totalsOf(h);
    const video = {
      spent: (totals[counter.committed('radio')] ?? 0) + (totals[counter.actual('radio')] ?? 0),
      recoupable: totals[counter.recoupable('art-1')],
    };
    expect([
      { spent: 50_000, recoupable: 50_000 },
      { spent: 19_800, recoupable: 19_800 },
    ]).toContainEqual(video);
  });
});

describe('the invoice that settled an order amended into a currency no rate converts yet', () => {
  it('has no share of its own in the same change as the order gets its own back: the artist is charged once', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await withVideoOrder(h);
    // The director's invoice, 300.00 EUR, settles the order: it holds no share any more.
    const invoice = directorInvoice();
    await h.expense(invoice, { occurredAt: '2027-03-05T08:00:00.000Z' });
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 30_000 }]);

    // The label corrects it: billed in USD, 330.00, for a date no rate converts yet. It still names
    // the order, which is committed again (an unconverted invoice settles nothing) with its share.
    await h.amend(
      { ...invoice, date: '2027-03-04', amount: { minor: 33_000, currency: 'USD' } },
      {
        occurredAt: '2027-03-05T09:00:00.000Z',
      },
    );

    // Once, in the order's 500.00 EUR; not also the invoice's 330.00 USD.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);
  });
});

// docs/design.md#budgets: once an order holds no recoupable share of its own (another invoice settled
// it, or the label voided it), an unconverted invoice naming it has its share counted apart in its own
// currency, "or the money would be recoupable nowhere until a rate comes". The design names the case
// it does not keep yet: an order voided, or released, only in another budget than the invoice's.
describe('an unconverted invoice whose order is voided, or released, only in another budget', () => {
  it('gets its recoupable share once the order, voided in bud-1, is settled by nothing of its own budget', async () => {
    const h = await threeBudgetsAndTheOrder();
    // The director's invoice (EUR) and the crew's (USD, no rate yet), both in bud-2, settle the order.
    await h.expense(directorInvoice('bud-2'));
    await h.expense(crewInvoice('bud-2'));
    // The label voids the order in bud-1 (the video was shot under another one), then the director's
    // invoice (sent in error): nothing holds the video's money but the crew's invoice.
    await h.voidExpense({ expenseId: 'po-video', budgetId: 'bud-1', reason: 'Raised in error' });
    await h.voidExpense({ expenseId: 'inv-director', budgetId: 'bud-2', reason: 'Sent in error' });
    await reconcileOn(h, '2027-03-06');

    // The crew's 220.00 USD is recoupable in its own currency, not nowhere until a rate comes.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'USD', minor: 22_000 }]);
  });

  it('gets its recoupable share while an invoice of a third budget settles the order in bud-1', async () => {
    const h = await threeBudgetsAndTheOrder();
    // The director's invoice (EUR), booked to bud-3, settles the order: bud-1 releases its money.
    await h.expense(directorInvoice('bud-3'));
    // The crew's invoice in bud-2 (USD, no rate yet) names it too.
    await h.expense(crewInvoice('bud-2'));
    await reconcileOn(h, '2027-03-06');

    // The order holds no share: the director's 300.00 EUR and the crew's 220.00 USD are recoupable.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual(directorAndCrew);
    expect((await recoupable(h, 'art-1')).recoupable).toHaveLength(2);
  });
});

describe("an unconverted invoice whose order's own budget wrote, at a reconciliation, that it holds no share (docs/design.md#budgets)", () => {
  it("follows the order's own budget at its writes: no share once the third budget's invoice is voided, one again when it settles the order again", async () => {
    const h = await threeBudgetsAndTheOrder();
    await h.expense(directorInvoice('bud-3'));
    await h.expense(crewInvoice('bud-2'));
    await reconcileOn(h, '2027-03-06');

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

// docs/design.md#budgets: the daily reconciliation of a budget writes into its state of an order held
// elsewhere what the order's own budget says of it (`heldAtHome`), and from then on every release
// writes the home's word there: an unconverted invoice naming the order has a share of its own only
// while the order holds none, never both.
describe("the order's own budget changes its word while another budget's reconciliation takes it", () => {
  it("charges the artist the order's 500.00 EUR alone once the third budget's invoice is voided during bud-2's reconciliation", async () => {
    const h = await threeBudgetsAndTheOrder();
    // The director's invoice, booked to bud-3, settles the order in bud-1: bud-1 releases its money.
    await h.expense(directorInvoice('bud-3'));
    await h.expense(crewInvoice('bud-2'));
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
    await reconcileOn(h, '2027-03-06');
    expect(voided).toBe(true);

    // The order holds its 500.00 EUR; the crew's 220.00 USD, part of it, is not recoupable on top.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);
  });
});

// docs/design.md#budgets: the daily reconciliation writes into a budget's state of an order held
// elsewhere the home's word (`heldAtHome`), filing the budget under the order first, and every release
// writes the home's word into each other budget's state that keeps one, reading the budgets filed under
// the order after its write: a release that read the filings before the reconciliation filed bud-2,
// and writes the home after the reconciliation wrote bud-2's word, still reaches bud-2.
describe("a release of the order that read its filings before another budget's reconciliation filed it there", () => {
  it("gives the crew's unconverted 220.00 USD its recoupable share once the director's invoice of bud-3 releases the order in bud-1", async () => {
    const h = await threeBudgetsAndTheOrder();
    // The crew's invoice (220.00 USD, no rate yet) in bud-2 names the order: while the order holds its
    // share, the crew's has none.
    await h.expense(crewInvoice('bud-2'));

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
        director = h.expense(directorInvoice('bud-3'), { occurredAt: '2027-03-06T07:00:00.500Z' });
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
    await reconcileOn(h, '2027-03-06');
    await director;
    expect(director).toBeDefined();

    // bud-1 released the order: its 500.00 EUR holds no share there any more...
    const bud1 = await h.ledger('bud-1');
    expect(bud1.states.find((s) => s.expenseId === 'po-video')?.settledElsewhere).toEqual(['inv-director']);
    // ...so the director's 300.00 EUR and the crew's 220.00 USD are the artist's recoupable spend,
    // not the director's alone until bud-2's next reconciliation.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual(directorAndCrew);
  });
});

// docs/design.md#budgets: the order's own budget's word is kept on the other budgets' states of it
// (`heldAtHome`); a release whose write of it fails "is left to the next reconciliation", and a
// reconciliation that repairs an unconverted invoice's recoupable share states it as drift
// (Budget Drift Repaired), whichever budget's reconciliation comes first.
describe("the order's own budget's word lost on its way to another budget, repaired at a reconciliation", () => {
  it("states Budget Drift Repaired for the crew's share the reconciliation gives back, also when the order's budget is reconciled first", async () => {
    const h = await threeBudgetsAndTheOrder();
    // The director's invoice, booked to bud-3, settles the order in bud-1: bud-1 releases its money.
    await h.expense(directorInvoice('bud-3'));
    await h.expense(crewInvoice('bud-2'));
    await reconcileOn(h, '2027-03-06');
    // The director's invoice is voided, and sent again: the order is released again in bud-1, but the
    // write of bud-1's word into bud-2 is refused every time it is read and tried again (a change in
    // bud-2 since it was read), so the crew's invoice is left without its share, for the next
    // reconciliation to repair.
    await h.voidExpense({ expenseId: 'inv-director', budgetId: 'bud-3', reason: 'Sent in error' });
    const write = h.store.writeLedger.bind(h.store);
    let refusing = true;
    let refused = 0;
    h.store.writeLedger = async (labelId: string, budgetId: string, ledgerWrite: LedgerWrite) => {
      if (
        refusing &&
        budgetId === 'bud-2' &&
        ledgerWrite.states.some((s) => s.expenseId === 'po-video' && s.heldAtHome === false)
      ) {
        refused++;
        return false;
      }
      return write(labelId, budgetId, ledgerWrite);
    };
    await h.expense(directorInvoice('bud-3'), { occurredAt: '2027-03-06T09:00:00.000Z' });
    expect(refused).toBeGreaterThan(0);
    refusing = false;
    const beforeTheReconciliation = (await recoupable(h, 'art-1')).recoupable;

    await reconcileOn(h, '2027-03-07');

    // The reconciliation gave the crew's 220.00 USD its share back...
    expect(beforeTheReconciliation).toEqual([{ currency: 'EUR', minor: 30_000 }]);
    expect((await recoupable(h, 'art-1')).recoupable).toEqual(
      expect.arrayContaining([{ currency: 'USD', minor: 22_000 }]),
    );
    // ...and says so, as it does when bud-2's own reconciliation repairs it.
    expect(driftRepaired(h).filter((d) => d.date === '2027-03-07')).toEqual([
      expect.objectContaining({
        budgetId: 'bud-2',
        date: '2027-03-07',
        differences: [{ total: 'unconverted USD recoupable art-1', was: 0, ledger: 22_000 }],
      }),
    ]);
  });
});

// docs/design.md#budgets: every write of the order writes the home's word (`heldAtHome`) into each other
// budget's state that keeps one, the recount of its budget's terms too: the order, held until then
// (counting nowhere, holding no share), counts with its share once they are set.
describe("the order's own budget set after another budget took its word", () => {
  it("charges the artist the video once: the crew's unconverted 220.00 USD loses its share when bud-1's terms count the order with its own", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    // The video's order booked to bud-1, whose terms the label has not sent yet (held); the crew's
    // invoice (220.00 USD, no rate yet) in bud-2 names it.
    await h.expense(videoOrder());
    await h.expense(crewInvoice('bud-2'));
    // bud-2's reconciliation takes bud-1's word: the order, counted nowhere, holds no share.
    await reconcileOn(h, '2027-03-06');
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'USD', minor: 22_000 }]);

    // The label sends bud-1's terms: the order counts there, with its 500.00 EUR share.
    await h.budget(aBudget({ budgetId: 'bud-1' }), '2027-03-06T09:00:00.000Z');

    // The crew's 220.00 USD is part of the video's order: not recoupable on top of its 500.00 EUR.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);
  });
});

// docs/design.md#budgets: the reconciliation is the safety net of releases across budgets, and a
// release it repairs writes the home's word into each other budget's state that keeps one, the shares
// that changes stated as that budget's drift: the budget keeping the word (bud-2, the crew's unconverted
// invoice) reconciled before the budget that repairs the lost release (bud-3, the director's invoice)
// hears of it that day, not at its next reconciliation.
describe("a release lost between budgets, repaired by a budget reconciled after the one keeping the order's word", () => {
  it("gives the crew's unconverted 220.00 USD its recoupable share at the day's reconciliation that releases the order, and states it", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    // The video's order in bud-1; the director's invoice settling it is booked to bud-3, not set yet
    // (held, it settles nothing); the crew's invoice (220.00 USD, no rate yet) in bud-2 names the order.
    await h.expense(videoOrder());
    await h.expense(directorInvoice('bud-3'));
    await h.expense(crewInvoice('bud-2'));
    // bud-3 is set: its recount counts the director's invoice, which now settles the order; the release
    // in bud-1 (the write with checks) is throttled, and the redelivery of the same Budget Set finds
    // the invoice counted already: the release is lost, for the reconciliation to repair.
    await loseRelease(h, 'bud-3', '2027-03-05T09:00:00.000Z');
    expect((await orderIn(h))?.settledElsewhere).toBe(undefined);

    // The day's reconciliation of every budget (bud-1, bud-2, bud-3, in that order).
    await reconcileOn(h, '2027-03-06');

    // The release is repaired: the order holds no share in bud-1 any more...
    expect((await orderIn(h))?.settledElsewhere).toEqual(['inv-director']);
    // ...so after the day's run the director's 300.00 EUR and the crew's 220.00 USD are the artist's
    // recoupable spend, not the director's alone until the next day's reconciliation...
    expect((await recoupable(h, 'art-1')).recoupable).toEqual(directorAndCrew);
    // ...and bud-2's owner hears its artist's shares were repaired, as bud-2's own reconciliation says it.
    expect(driftRepaired(h).filter((d) => d.budgetId === 'bud-2')).toEqual([
      expect.objectContaining({
        date: '2027-03-06',
        differences: [{ total: 'unconverted USD recoupable art-1', was: 0, ledger: 22_000 }],
      }),
    ]);
    expect(h.measure.totals('ReconciliationDrift')).toEqual(expect.objectContaining({ USD: 22_000 }));
  });
});

// docs/design.md#budgets: "A void cancels the expense by its id, whichever of its budgets it names",
// an expense's versions count "in any order: the label's timestamp decides" (a state counts while it
// has data and no later void), and an unconverted invoice naming an order has no recoupable share
// while the order holds its own: the artist is charged the video once.
describe('an order voided through another budget and then amended again by the label', () => {
  it('charges the artist the video once: the order counts again with its share, the unconverted invoice has none', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget());
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    await h.expense(videoOrder(), { occurredAt: '2027-03-05T08:00:00.000Z' });
    // The crew's invoice, booked to bud-2 (220.00 USD, no rate yet), names the order: no share of its own.
    await h.expense(crewInvoice('bud-2'), { occurredAt: '2027-03-05T08:01:00.000Z' });
    // The label voids the order, naming the budget of the invoice at hand (bud-2)...
    await h.voidExpense(
      { expenseId: 'po-video', budgetId: 'bud-2', reason: 'Raised in error' },
      { occurredAt: '2027-03-05T09:00:00.000Z' },
    );
    // ...and takes it back: the order, amended later, stands in bud-1 with its 500.00 EUR.
    await h.amend(videoOrder(), { occurredAt: '2027-03-05T10:00:00.000Z' });
    await reconcileOn(h, '2027-03-06');

    // The video once, in the order's 500.00 EUR: not also the crew's 220.00 USD.
    expect(await h.store.recoupable(h.labelId, 'art-1')).toEqual([
      { budgetId: 'bud-1', expenseId: 'po-video', amount: { minor: 50_000, currency: 'EUR' } },
    ]);
  });
});

// docs/design.md#budgets: a release of an order by another budget's invoice gives the unconverted
// invoices naming it their share in its own write; the reconciliation is the net where that write is
// lost ("a failure between a write and its release, that no redelivery tries again"), and "Each budget's
// reconciliation ... treats any other difference of the running totals as drift: repaired and reported"
// (`Budget Drift Repaired` through the outbox in the same transaction), a share counted apart too.
describe("the reconciliation's repair of an unconverted invoice's recoupable share, its order released by another budget", () => {
  it("states Budget Drift Repaired for the artist's recoupable share it repairs", async () => {
    // The video's order in bud-1 (500.00 EUR, recoupable), and the crew's invoice in bud-1 naming it
    // (220.00 USD, no rate yet): the order holds the share, the crew's invoice none.
    const h = await theOrderAndTheCrewInBud1();
    // The director's invoice (EUR), booked to bud-2, set late, settles the order; its release into bud-1
    // is lost: the order still holds the share, and the crew's 220.00 USD none, until a reconciliation.
    await h.expense(directorInvoice('bud-2'));
    await loseRelease(h, 'bud-2', '2027-03-05T09:00:00.000Z');
    expect(await sharesIn(h, 'bud-1')).toEqual([
      { budgetId: 'bud-1', expenseId: 'po-video', amount: { minor: 50_000, currency: 'EUR' } },
    ]);

    await reconcileOn(h, '2027-03-06');

    // The reconciliation repaired bud-1: the crew's 220.00 USD is recoupable, counted apart...
    expect(await sharesIn(h, 'bud-1')).toEqual(crewShareInBud1);
    // ...and states it, as every repair it makes of what the budget counts: a watcher of the bus (and
    // the budget's drift history) hears that the artist's recoupable spend changed without a change of
    // the label's.
    expect(driftRepaired(h)).toEqual([expect.objectContaining({ budgetId: 'bud-1', date: '2027-03-06' })]);
    expect(driftStated(h, 'bud-1')).toEqual(
      expect.arrayContaining([{ total: 'unconverted USD recoupable art-1', was: 0, ledger: 22_000 }]),
    );
  });

  it('states Budget Drift Repaired for the shares it repairs of more invoices naming one order than fit its void', async () => {
    // Fifty of the crew's invoices name the order, none with a share; the label voids the order.
    const h = await aVoidedOrderNamedBy(50);
    const shared = async () => (await h.store.recoupable(h.labelId, 'art-1')).length;
    expect(await shared()).toBe(0);

    await reconcileOn(h, '2027-03-06');

    // The reconciliation repaired them: each invoice's 10.00 USD is recoupable...
    expect(await shared()).toBe(50);
    // ...and it says so.
    expect(driftRepaired(h)).toEqual([expect.objectContaining({ budgetId: 'bud-1', date: '2027-03-06' })]);
  });
});

// docs/design.md#budgets: a state whose recoupable share alone differs from the ledger's is drift,
// written with Budget Drift Repaired in the same transaction, and "the repair is in the day's result
// and in the ReconciliationDrift metric in that currency". repairShares writes a large repair in
// several transactions; one refused (a state changed since read) makes the reconciliation read again.
describe("the reconciliation's repair of recoupable shares in more than one transaction", () => {
  it('measures as ReconciliationDrift every share repair it stated, when a later transaction of the repair is refused and tried again', async () => {
    // Two hundred of the crew's invoices name the order, none with a share; the label voids the order,
    // so the daily reconciliation repairs the rest, more than one transaction holds.
    const h = await aVoidedOrderNamedBy(200);

    // The repair's second transaction is refused once (one of its invoices changed since it was read).
    const repairs = onTheRepairsSecondWrite(h, async () => false);
    await reconcileOn(h, '2027-03-06');

    // Every invoice's 10.00 USD is recoupable, each repair stated once...
    expect((await h.store.recoupable(h.labelId, 'art-1')).length).toBe(200);
    const stated = driftSum(driftRepaired(h).flatMap((d) => d.differences));
    expect(repairs()).toBeGreaterThan(2);
    expect(stated).toBeGreaterThan(98 * 1_000);
    // ...and the day's metric counts what was stated, not only the transactions of the last attempt.
    expect(h.measure.totals('ReconciliationDrift')).toEqual({ USD: stated });
  });

  // The day's result is built from the drift kept for the date in the budget, not from what the
  // attempt that keeps it wrote: an attempt stopped between two transactions (the second throttled past
  // the SDK's retries, or the function timing out) throws, and the event delivered again finds only
  // what is left to repair.
  it("lists in the day's result every share repair it stated, when the reconciliation is delivered again after its second transaction failed", async () => {
    const h = await aVoidedOrderNamedBy(200);

    // The repair's second transaction is throttled (the first is written, with its Budget Drift
    // Repaired): the reconciliation fails and its event is delivered again.
    onTheRepairsSecondWrite(h, async () => {
      throw new Error('ProvisionedThroughputExceededException');
    });
    h.setNow('2027-03-06T07:00:00.000Z');
    await expect(h.reconcile('2027-03-06')).rejects.toThrow('ProvisionedThroughputExceededException');
    await h.deliver(BudgetReconciliationDue, { labelId: h.labelId, budgetId: 'bud-1', date: '2027-03-06' });

    // Every invoice's 10.00 USD is recoupable, each repair stated once (2,000.00 USD in all)...
    expect((await h.store.recoupable(h.labelId, 'art-1')).length).toBe(200);
    const stated = driftSum(driftRepaired(h).flatMap((d) => d.differences));
    expect(stated).toBe(200_000);
    // ...and the day's result (what the owner's report lists) counts what was stated, not only what
    // the retried reconciliation wrote.
    const result = (await h.store.getBudget(h.labelId, 'bud-1'))?.lastResult;
    expect(result?.date).toBe('2027-03-06');
    expect(driftSum(result?.drift ?? [])).toBe(stated);
  });
});

// docs/design.md#budgets: a release the reconciliation repairs is drift, kept and stated (Budget Drift
// Repaired) in the same write, and so is a share counted apart it changes: one lives on its expense's
// state, in no running total.
describe('a release of an unconverted order lost between budgets, repaired by the reconciliation', () => {
  it("states the artist's unconverted share the release takes off the order, as a share repair does", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    // The video's order, 500.00 USD in a EUR budget with no rate yet: counted apart, with the artist's share.
    await h.expense({ ...videoOrder(), date: '2027-03-04', amount: { minor: 50_000, currency: 'USD' } });
    // The director's invoice settling it, booked to bud-3, set late; the release into bud-1 is lost.
    await h.expense(directorInvoice('bud-3'));
    expect((await orderIn(h))?.recoupable).toEqual(
      expect.objectContaining({ amount: { minor: 50_000, currency: 'USD' } }),
    );
    await loseRelease(h, 'bud-3', '2027-03-05T09:00:00.000Z');

    await reconcileOn(h, '2027-03-06');

    const after = await orderIn(h);
    // The release is repaired: the order holds no share of its own any more (the director's invoice has it)...
    expect(after?.settledElsewhere).toEqual(['inv-director']);
    expect(after?.recoupable).toBeUndefined();
    // ...and bud-1's owner is told of the artist's 500.00 USD share the repair took off, not only of the commitment.
    expect(driftStated(h, 'bud-1')).toEqual(
      expect.arrayContaining([{ total: 'unconverted USD recoupable art-1', was: 50_000, ledger: 0 }]),
    );
  });
});

// docs/design.md#budgets: a release the reconciliation repairs writes the order's own budget's
// unconverted actuals naming the order with the share the release leaves them, in the release's own
// write, stated as that budget's drift: the order's budget, reconciled before the budget that repairs
// the lost release, does not wait for its next reconciliation to count the crew's share.
describe("a release lost between budgets, repaired by another budget's reconciliation after the order's own budget's", () => {
  it("gives the crew's unconverted 220.00 USD in the order's own budget its recoupable share at once, and states it", async () => {
    // The video's order in bud-1, and the crew's invoice in bud-1 naming it (220.00 USD, no rate yet):
    // the order holds the artist's share, the crew's invoice none.
    const h = await theOrderAndTheCrewInBud1();
    // The director's invoice settling the order is booked to bud-3, set late; its release into bud-1 is lost.
    await h.expense(directorInvoice('bud-3'));
    await loseRelease(h, 'bud-3', '2027-03-05T09:00:00.000Z');
    // Until the release is repaired the order still holds its 500.00 EUR beside the director's 300.00.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 80_000 }]);

    // The day's reconciliation of every budget: bud-1 first (nothing to repair there yet), then bud-3,
    // which repairs the order's release in bud-1.
    await reconcileOn(h, '2027-03-06');

    expect((await orderIn(h))?.settledElsewhere).toEqual(['inv-director']);
    // Right after the day's run, bud-1 counts the crew's 220.00 USD as the artist's recoupable spend
    // beside the director's 300.00 EUR: not recoupable nowhere until bud-1's next reconciliation...
    expect((await recoupable(h, 'art-1')).recoupable).toEqual(directorAndCrew);
    expect(await sharesIn(h, 'bud-1')).toEqual(crewShareInBud1);
    // ...and bud-1's owner hears the share was repaired, beside the order's released commitment.
    expect(driftStated(h, 'bud-1')).toEqual([
      { total: 'committed radio', was: 50_000, ledger: 0 },
      { total: 'recoupable art-1', was: 50_000, ledger: 0 },
      { total: 'unconverted USD recoupable art-1', was: 0, ledger: 22_000 },
    ]);
    expect(h.measure.totals('ReconciliationDrift')).toEqual({ EUR: 100_000, USD: 22_000 });

    // bud-1's next reconciliation finds nothing more to repair.
    const stated = h.events('Budget Drift Repaired').length;
    await reconcileOn(h, '2027-03-07');
    expect(h.events('Budget Drift Repaired')).toHaveLength(stated);
  });
});

// docs/design.md#budgets: an unconverted actual naming an order that holds no share of its own has its
// own, "or the money would be recoupable nowhere"; a release of the order by another budget's invoice
// gives the order's budget's actuals naming it (`namedBy`) the share it leaves them in its own write, as
// the budget's own writes do (`withNamers`): in the normal flow, not only when a reconciliation repairs it.
describe("an unconverted invoice whose order another budget's invoice releases, in the normal flow", () => {
  it("gives the crew's 220.00 USD in the order's own budget its recoupable share in the release, with no reconciliation", async () => {
    // The video's order in bud-1, and the crew's invoice in bud-1 naming it (220.00 USD, no rate yet):
    // the order holds the artist's share, the crew's invoice none.
    const h = await theOrderAndTheCrewInBud1('bud-3');
    // The director's invoice (300.00 EUR), booked to bud-3, settles the order: bud-1 releases it.
    await h.expense(directorInvoice('bud-3'));

    expect((await orderIn(h))?.settledElsewhere).toEqual(['inv-director']);
    // The order holds no share any more: bud-1 counts the crew's 220.00 USD as the artist's, at once,
    // not recoupable nowhere until bud-1's next reconciliation...
    expect(await sharesIn(h, 'bud-1')).toEqual(crewShareInBud1);
    expect((await recoupable(h, 'art-1')).recoupable).toEqual(directorAndCrew);
    // ...and no drift is stated: nothing was lost, nothing repaired.
    expect(h.events('Budget Drift Repaired')).toEqual([]);

    // bud-1's next reconciliation finds nothing to repair.
    await reconcileOn(h, '2027-03-06');
    expect(h.events('Budget Drift Repaired')).toEqual([]);
  });

  it("takes the crew's share back in the release that gives the order its own back: the artist is charged the video once", async () => {
    const h = await theOrderAndTheCrewInBud1('bud-3');
    await h.expense(directorInvoice('bud-3'));

    // The label voids the director's invoice (sent in error): bud-1's order holds its share again.
    await h.voidExpense({ expenseId: 'inv-director', budgetId: 'bud-3', reason: 'Sent in error' });

    // Once, in the order's 500.00 EUR; not also the crew's 220.00 USD until bud-1's next reconciliation.
    expect(await h.store.recoupable(h.labelId, 'art-1')).toEqual([
      { budgetId: 'bud-1', expenseId: 'po-video', amount: { minor: 50_000, currency: 'EUR' } },
    ]);
    expect(h.events('Budget Drift Repaired')).toEqual([]);
  });
});

// docs/design.md#budgets: a repaired release's share drift is "what the budget's shares held and hold",
// read from the budget's ledger (strongly) when its write changes a share counted apart, for each such
// repair: a read carried across the repairs misses what other writes recorded meanwhile
// (repair-read-then-write-stale.test.ts), so the exact figures cost one read per repair.
describe('many releases into one budget lost and repaired by one reconciliation', () => {
  it("states each repair's share drift exactly, from a read of the order's budget's ledger per repair", async () => {
    // Fifty orders in bud-1 (10.00 USD each, no rate yet: counted apart, each with the artist's share),
    // each settled by an invoice (10.00 EUR) booked to bud-3, set late; their releases into bud-1 are lost.
    const orders = Array.from({ length: 50 }, (_, i) => `po-${String(i + 1).padStart(2, '0')}`);
    const h = await lostRelease(unconvertedOrdersSettledInBud3(orders, artistInFull));
    const lost = (await h.ledger('bud-1')).states.filter((s) => s.recoupable).length;
    expect(lost).toBeGreaterThan(40);

    // bud-3's reconciliation repairs every lost release; bud-1's ledger reads are counted.
    const ledger = h.store.ledger.bind(h.store);
    let bud1Reads = 0;
    h.store.ledger = async (labelId: string, budgetId: string, ...rest: unknown[]) => {
      if (budgetId === 'bud-1') bud1Reads++;
      return (ledger as (...args: unknown[]) => ReturnType<typeof ledger>)(labelId, budgetId, ...rest);
    };
    await h.deliver(BudgetReconciliationDue, { labelId: h.labelId, budgetId: 'bud-3', date: '2027-03-06' });
    const reads = bud1Reads;

    expect((await h.ledger('bud-1')).states.filter((s) => s.recoupable)).toEqual([]);
    // Each repair states the artist's unconverted share as bud-1's shares held it and hold it, its own
    // 10.00 USD off what the repairs before it left...
    const shares = (driftStated(h, 'bud-1') as { total: string }[]).filter(
      (d) => d.total === 'unconverted USD recoupable art-1',
    );
    expect(shares).toEqual(
      Array.from({ length: lost }, (_, k) => ({
        total: 'unconverted USD recoupable art-1',
        was: (lost - k) * 1_000,
        ledger: (lost - k - 1) * 1_000,
      })),
    );
    // ...from a read of bud-1's ledger per repair (docs/design.md#budgets: what it costs).
    expect(reads).toBe(lost);
  });
});

// docs/design.md#failures-and-retries: the daily reconciliation's write of the home's word into bud-2's
// state of the order (`heldAtHome`, takeHomeHolding) is applied and answered as refused (its answer lost,
// its resend refused by it). Read again, the word was there, and it was taken for another writer's: the
// reconciliation went on from its read before the write, and the crew's share waited for the next day.
describe("the home's word of the order written into another budget while the answer was lost", () => {
  it("gives the crew's unconverted 220.00 USD its recoupable share in that same reconciliation", async () => {
    const h = await threeBudgetsAndTheOrder();
    await h.expense(directorInvoice('bud-3'));
    await h.expense(crewInvoice('bud-2'));
    const lost = refusedOnceAfterLanding(
      h.store,
      'writeLedger',
      (_label, budgetId, write) =>
        budgetId === 'bud-2' &&
        write.states.some((s) => s.expenseId === 'po-video' && s.heldAtHome !== undefined),
    );
    await reconcileOn(h, '2027-03-06');

    expect(lost()).toBe(true);
    expect((await recoupable(h, 'art-1')).recoupable).toEqual(directorAndCrew);
  });
});

type Change = (h: ReturnType<typeof budgetsHarness>) => Promise<unknown>;

/**
 * The video's order in bud-1, the crew's invoice in bud-1 naming it (220.00 USD, no rate yet) and the
 * stills' in bud-2 (80.00 USD, no rate yet), bud-2 keeping bud-1's word of the order since its
 * reconciliation; then `before`, and `change`. `dying`: the first write of `change` it picks lands and the
 * run dies right after it (Lambda's timeout), and the same event is delivered again, as Lambda does.
 * Answers every budget's totals and states (but their revisions) and the artist's recoupable shares.
 */
const namersAfter = async (
  before: Change[],
  change: Change,
  dying?: (budgetId: string, write: LedgerWrite) => boolean,
) => {
  const h = await threeBudgetsAndTheOrder();
  await h.expense(crewInvoice());
  await h.expense({ ...unconvertedInvoice('inv-stills', 8_000), budgetId: 'bud-2' });
  await reconcileOn(h, '2027-03-06');
  for (const earlier of before) await earlier(h);
  const write = h.store.writeLedger.bind(h.store);
  let died = false;
  h.store.writeLedger = async (labelId: string, budgetId: string, ledgerWrite: LedgerWrite) => {
    const written = await write(labelId, budgetId, ledgerWrite);
    if (died || !dying?.(budgetId, ledgerWrite)) return written;
    died = true;
    throw new Error('Task timed out after 30.00 seconds');
  };
  const first = await change(h).then(
    () => 'handled',
    () => 'died',
  );
  if (first === 'died') await change(h);
  if (dying && !died) throw new Error('no write was picked to die after');
  const budgets = ['bud-1', 'bud-2', 'bud-3'];
  return {
    totals: await Promise.all(budgets.map(async (b) => (await h.ledger(b)).totals)),
    states: await Promise.all(
      budgets.map(async (b) => (await h.ledger(b)).states.map(({ revision: _, ...state }) => state)),
    ),
    shares: await h.store.recoupable(h.labelId, 'art-1'),
  };
};

const directorRecorded: Change = (h) =>
  h.expense(directorInvoice('bud-3'), {
    occurredAt: '2027-03-06T09:00:00.000Z',
    eventId: 'evt-director-recorded',
  });
const directorVoided: Change = (h) =>
  h.voidExpense(
    { expenseId: 'inv-director', budgetId: 'bud-3', reason: 'Sent in error' },
    { occurredAt: '2027-03-06T10:00:00.000Z', eventId: 'evt-director-voided' },
  );

/** The director's own write in bud-3 (its version): the run dies before the release in bud-1. */
const directorsOwnWrite = (budgetId: string, write: LedgerWrite) =>
  budgetId === 'bud-3' && write.versions.some((v) => v.expenseId === 'inv-director');
/** The release's write in bud-1 (with its checks): the run dies before bud-1's word reaches bud-2. */
const releaseInBud1 = (budgetId: string, write: LedgerWrite) =>
  budgetId === 'bud-1' && (write.checks?.length ?? 0) > 0;

// docs/design.md#budgets: a redelivery of a version stored already "releases again every order its
// expense's versions there name" (releaseAgain), and a release gives the actuals naming the order
// (`namedBy`) the share it leaves them, in its own write (withNamers), and pushes the order's word, with
// the shares it changes, into each budget keeping it (pushHolding). A run that died after the expense's
// write, or after the release's, is delivered again: the namers' shares must end as a run that never
// died leaves them, before any reconciliation.
describe("the namers' recoupable shares when the director's invoice of bud-3 is delivered again after its run died", () => {
  // Recorded, the order holds no share: the crew's 220.00 USD (bud-1) and the stills' 80.00 USD (bud-2)
  // are the artist's, beside the director's 300.00 EUR. Voided, the order holds its 500.00 EUR alone.
  const released = ['inv-crew', 'inv-stills', 'inv-director'];
  const heldAgain = ['po-video'];
  it.each([
    ['recorded, the run dying after its own write', [], directorRecorded, directorsOwnWrite, released],
    ['recorded, the run dying after the release in bud-1', [], directorRecorded, releaseInBud1, released],
    [
      'voided, the run dying after its own write',
      [directorRecorded],
      directorVoided,
      directorsOwnWrite,
      heldAgain,
    ],
    [
      'voided, the run dying after the release in bud-1',
      [directorRecorded],
      directorVoided,
      releaseInBud1,
      heldAgain,
    ],
  ] as const)('%s: as a run that never died leaves them', async (_, before, change, dying, shares) => {
    const clean = await namersAfter([...before], change);

    const redelivered = await namersAfter([...before], change, dying);

    expect(clean.shares.map((s) => s.expenseId)).toEqual(shares);
    expect(redelivered).toEqual(clean);
  });
});
