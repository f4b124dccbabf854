import { describe, expect, it } from 'vitest';
import { counter } from '#shared/budgets/ledger.ts';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import {
  aBudget,
  anExpense,
  artistInFull,
  budgetsHarness,
  driftStated,
  lostRelease,
} from '#test/support/budgets-harness.ts';
import { refusedOnceAfterLanding } from '#test/support/dynamo-errors.ts';

// A release of an order lost between budgets (512c3d7), repaired by the reconciliation: the scene each
// describe below shares (lostRelease), told in docs/design.md#budgets.

/** The video's purchase order in bud-1, wholly recoupable from the artist (500.00 EUR unless told). */
const videoOrder = (overrides: Parameters<typeof anExpense>[0] = {}) =>
  anExpense({
    expenseId: 'po-video',
    kind: 'commitment',
    amount: { minor: 50_000, currency: 'EUR' },
    recoupable: artistInFull,
    ...overrides,
  });

/** The director's invoice (300.00 EUR) settling the video's order, booked to bud-3, set late. */
const directorInvoice = anExpense({
  expenseId: 'inv-director',
  budgetId: 'bud-3',
  settles: 'po-video',
  amount: { minor: 30_000, currency: 'EUR' },
  recoupable: artistInFull,
});

// docs/design.md#budgets: a recoupable share counted apart (no rate yet) "is in no running total", and "a
// release the reconciliation repairs that takes such a share off its order (or gives it one) states it so
// too ... beside the totals it changes". A share the order counts in the budget's own currency is not
// counted apart: it is in the running totals (`recoupable art-1`), so the totals' drift states it already.
describe('a release of a converted order lost between budgets, repaired by the reconciliation (512c3d7)', () => {
  it("states the artist's 500.00 EUR share once, in the totals, not again as an unconverted EUR share", async () => {
    // The video's order, 500.00 EUR in a EUR budget: converted, its share in the totals.
    const h = await lostRelease([videoOrder(), directorInvoice]);
    await h.reconcile('2027-03-06');

    expect(
      (await h.ledger('bud-1')).states.find((s) => s.expenseId === 'po-video')?.settledElsewhere,
    ).toEqual(['inv-director']);
    // bud-1's owner is told the order's 500.00 EUR commitment and the artist's 500.00 EUR share left the
    // totals: the share once, not also as an 'unconverted EUR' share no rate was missing for.
    expect(driftStated(h, 'bud-1')).toEqual([
      { total: 'committed radio', was: 50_000, ledger: 0 },
      { total: 'recoupable art-1', was: 50_000, ledger: 0 },
    ]);
    // The metric counts the 1,000.00 EUR the repair moved (commitment and share), not 1,500.00.
    expect(h.measure.totals('ReconciliationDrift')).toEqual({ EUR: 100_000 });
  });
});

// docs/design.md#budgets: a repair is "in the ReconciliationDrift metric in that currency" and "the metric
// counts every repair, by currency" (shared/lambda/metrics.ts: "in minor units of its currency"). An
// amount no rate converts is counted apart "in its own currency, never as if it were the budget's"
// (docs/design.md#money): the running total `unconverted USD commitment` holds US cents, not euro cents.
describe('a release of an unconverted order lost between budgets, repaired by the reconciliation (512c3d7)', () => {
  it('measures the 500.00 USD commitment and the 500.00 USD share it repaired as USD, not the commitment as EUR', async () => {
    // The video's order, 500.00 USD in a EUR budget with no rate yet: counted apart, with the artist's share.
    const h = await lostRelease([
      videoOrder({ date: '2027-03-04', amount: { minor: 50_000, currency: 'USD' } }),
      directorInvoice,
    ]);
    await h.reconcile('2027-03-06');

    // The repair took 500.00 USD of commitment and 500.00 USD of the artist's share off bud-1...
    expect(driftStated(h, 'bud-1')).toEqual(
      expect.arrayContaining([
        { total: 'unconverted USD commitment', was: 50_000, ledger: 0 },
        { total: 'unconverted USD recoupable art-1', was: 50_000, ledger: 0 },
      ]),
    );
    // ...all of it US dollars: no euro moved.
    expect(h.measure.totals('ReconciliationDrift')).toEqual({ USD: 100_000 });
  });

  // The same in the reconciliation's repair of its own running totals (repairTotals, driftByCurrency).
  it('measures a repaired unconverted JPY total as JPY, not as euro cents', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    // A 5,000 JPY invoice with no rate: counted apart, 'unconverted JPY actual'.
    await h.expense(anExpense({ date: '2027-03-04', amount: { minor: 5_000, currency: 'JPY' } }));
    // The running total drifted by 500 JPY.
    const totals = h.store.totals.get(JSON.stringify([h.labelId, 'bud-1']));
    if (totals) totals.counters[counter.unconverted('JPY', 'actual')] += 500;

    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');

    expect(h.events('Budget Drift Repaired').map((e) => (e.detail as { data: unknown }).data)).toEqual([
      expect.objectContaining({
        differences: [{ total: 'unconverted JPY actual', was: 5_500, ledger: 5_000 }],
      }),
    ]);
    // 500 yen repaired, not 5.00 EUR.
    expect(h.measure.totals('ReconciliationDrift')).toEqual({ JPY: 500 });
  });
});

// docs/design.md#budgets: a share counted apart (no rate yet) repaired by the reconciliation is stated
// "with the drift of the artist's shares per currency (`unconverted USD recoupable art-1`: what the
// budget's shares held and hold)", and "a release the reconciliation repairs that takes such a share off
// its order ... states it so too ... beside the totals it changes" (whose drift is what the budget's
// running totals held and hold).
describe('a release of an unconverted order lost between budgets, the budget holding another share of the artist in USD (512c3d7)', () => {
  it("states what the budget's USD shares of the artist held and hold (600.00 -> 100.00), not the order's alone (500.00 -> 0)", async () => {
    /** A purchase order of bud-1 in USD for a date no rate converts yet, wholly recoupable from the artist. */
    const usdOrder = (expenseId: string, minor: number) =>
      videoOrder({ expenseId, date: '2027-03-04', amount: { minor, currency: 'USD' } });
    // The video's order (500.00 USD) and the stills' order (100.00 USD): both counted apart, each with
    // the artist's share, 600.00 USD of the artist's in bud-1.
    const h = await lostRelease([
      usdOrder('po-video', 50_000),
      usdOrder('po-stills', 10_000),
      directorInvoice,
    ]);
    await h.reconcile('2027-03-06');

    // The repair leaves the stills' 100.00 USD the artist's in bud-1...
    expect(
      (await h.store.recoupable(h.labelId, 'art-1')).filter((share) => share.budgetId === 'bud-1'),
    ).toEqual([{ budgetId: 'bud-1', expenseId: 'po-stills', amount: { minor: 10_000, currency: 'USD' } }]);
    const stated = driftStated(h, 'bud-1');
    // ...and bud-1's owner is told the budget's figures, the commitments' (600.00 -> 100.00 USD) as the
    // artist's shares': not that the ledger says 0.00 USD of the artist's where it holds 100.00.
    expect(stated).toEqual(
      expect.arrayContaining([{ total: 'unconverted USD commitment', was: 60_000, ledger: 10_000 }]),
    );
    expect(stated).toEqual(
      expect.arrayContaining([{ total: 'unconverted USD recoupable art-1', was: 60_000, ledger: 10_000 }]),
    );
  });
});

// docs/design.md#budgets: a release the reconciliation repairs pushes the home's word into each other
// budget's state that keeps one, so that "a budget keeping the word that is reconciled before another
// budget's reconciliation repairs the release (bud-2, the crew's invoice, before bud-3, the director's,
// whose lost release into bud-1 it repairs) has it that day, not at its next reconciliation"; a handler
// that throws gets Lambda's retries (docs/design.md#failures-and-retries), and a retry changes nothing
// twice but does what its first attempt left undone.
describe("a release repaired by bud-3's reconciliation whose push of the order's word to bud-2 was throttled, and retried", () => {
  it("gives the crew's unconverted 220.00 USD its recoupable share that day, as the first attempt would have", async () => {
    // The video's order (500.00 EUR) in bud-1; the director's invoice (300.00 EUR) settling it booked to
    // bud-3, not set yet; the crew's invoice (220.00 USD, no rate yet) in bud-2 names the order. bud-3 is
    // set; the release into bud-1 is throttled and lost, for the reconciliation to repair.
    const crewInvoice = anExpense({
      expenseId: 'inv-crew',
      budgetId: 'bud-2',
      settles: 'po-video',
      date: '2027-03-04',
      amount: { minor: 22_000, currency: 'USD' },
      recoupable: artistInFull,
    });
    const h = await lostRelease([videoOrder(), directorInvoice, crewInvoice], ['bud-2']);

    // The day's run (bud-1, bud-2, then bud-3): bud-3's reconciliation repairs the release in bud-1, and
    // its push of the order's word into bud-2 is throttled past the SDK's retries: the handler throws...
    const writeLedger = h.store.writeLedger.bind(h.store);
    let pushThrottled = false;
    h.store.writeLedger = async (labelId, budgetId, write) => {
      // The push of a repair into bud-2 (the order's word, with the shares it changes as drift), once.
      if (!pushThrottled && budgetId === 'bud-2' && write.drift && (write.checks?.length ?? 0) > 0) {
        pushThrottled = true;
        throw new Error('ProvisionedThroughputExceededException');
      }
      return writeLedger(labelId, budgetId, write);
    };
    await expect(h.reconcile('2027-03-06')).rejects.toThrow('ProvisionedThroughputExceededException');
    expect(pushThrottled).toBe(true);
    // ...and Lambda delivers bud-3's Budget Reconciliation Due again.
    await h.deliver(BudgetReconciliationDue, { labelId: h.labelId, budgetId: 'bud-3', date: '2027-03-06' });

    expect(
      (await h.ledger('bud-1')).states.find((s) => s.expenseId === 'po-video')?.settledElsewhere,
    ).toEqual(['inv-director']);
    // The order holds no share any more: the director's 300.00 EUR and the crew's 220.00 USD are the
    // artist's recoupable spend after the day's run, as without the throttle.
    expect(
      (await h.store.recoupable(h.labelId, 'art-1')).map((share) => ({ [share.expenseId]: share.amount })),
    ).toEqual(
      expect.arrayContaining([
        { 'inv-director': { minor: 30_000, currency: 'EUR' } },
        { 'inv-crew': { minor: 22_000, currency: 'USD' } },
      ]),
    );
  });
});

// docs/design.md#budgets: a release the reconciliation repairs pushes the order's word into each other
// budget keeping one, "the shares that changes kept and stated as the drift of the budget it writes"
// (repairShares), and a share repair is stated "with the drift of the artist's shares per currency
// (`unconverted USD recoupable art-1`: what the budget's shares held and hold)", as bud-2's own
// reconciliation states it (repairShares over its whole ledger).
describe("a release repaired by bud-3's reconciliation, pushed into bud-2 which holds another USD share of the artist", () => {
  it("states what bud-2's USD shares of the artist held and hold (100.00 -> 320.00), not the pushed write's alone (0 -> 220.00)", async () => {
    /** An invoice of bud-2 in USD for a date no rate converts yet, wholly recoupable from the artist. */
    const usdInvoice = (expenseId: string, minor: number, settles?: string) =>
      anExpense({
        expenseId,
        budgetId: 'bud-2',
        date: '2027-03-04',
        amount: { minor, currency: 'USD' },
        recoupable: artistInFull,
        ...(settles ? { settles } : {}),
      });
    const h = await lostRelease(
      [
        videoOrder(),
        directorInvoice,
        // The crew's invoice (220.00 USD) names the video's order: no share while the order holds its own.
        usdInvoice('inv-crew', 22_000, 'po-video'),
        // The stills' invoice (100.00 USD) names no order: its share is the artist's, counted apart.
        usdInvoice('inv-stills', 10_000),
      ],
      ['bud-2'],
    );
    await h.reconcile('2027-03-06');

    // bud-2 holds 320.00 USD of the artist's after the day's run...
    expect(
      (await h.store.recoupable(h.labelId, 'art-1'))
        .filter((share) => share.budgetId === 'bud-2')
        .reduce((total, share) => total + share.amount.minor, 0),
    ).toBe(32_000);
    // ...and its owner is told what its shares held and hold, not that they held nothing.
    expect(driftStated(h, 'bud-2')).toEqual([
      { total: 'unconverted USD recoupable art-1', was: 10_000, ledger: 32_000 },
    ]);
  });
});

// docs/design.md#budgets: a release repaired in another budget shows "in its `Budget Drift Repaired`, and
// in the `ReconciliationDrift` metric of the reconciliation that made it ... (the metric counts every
// repair, by currency)"; 2cf5d50 adds to that repair the crew's unconverted share it gives in the order's
// budget. A reconciliation that fails after the repair is delivered again and finds nothing to repair:
// the repair is measured as its write lands, by the attempt that made it (measured at the invocation's
// end, it was measured by neither delivery).
describe("a reconciliation that repaired a lost release and failed before its day's result, delivered again", () => {
  it("measures as ReconciliationDrift the release and the crew's 220.00 USD share it stated", async () => {
    // The video's order (500.00 EUR) and the crew's invoice naming it (220.00 USD, no rate yet) in bud-1;
    // the director's invoice (300.00 EUR) settling the order, booked to bud-3, set late: its release is lost.
    const h = await lostRelease([
      videoOrder(),
      anExpense({
        expenseId: 'inv-crew',
        settles: 'po-video',
        date: '2027-03-04',
        amount: { minor: 22_000, currency: 'USD' },
        recoupable: artistInFull,
      }),
      directorInvoice,
    ]);

    // bud-3's reconciliation repairs the release into bud-1, then its day result's write fails (throttled):
    // the invocation fails and the event is delivered again.
    const saveDayResult = h.store.saveDayResult.bind(h.store);
    let failed = false;
    h.store.saveDayResult = async (...args: Parameters<typeof saveDayResult>) => {
      if (!failed && args[0].budgetId === 'bud-3') {
        failed = true;
        throw new Error('ProvisionedThroughputExceededException');
      }
      return saveDayResult(...args);
    };
    const due = { labelId: h.labelId, budgetId: 'bud-3', date: '2027-03-06' };
    await expect(h.deliver(BudgetReconciliationDue, due)).rejects.toThrow(
      'ProvisionedThroughputExceededException',
    );
    await h.deliver(BudgetReconciliationDue, due);

    // bud-1's owner was told of the repair once: the order's commitment, its share, the crew's share...
    expect(driftStated(h, 'bud-1')).toEqual([
      { total: 'committed radio', was: 50_000, ledger: 0 },
      { total: 'recoupable art-1', was: 50_000, ledger: 0 },
      { total: 'unconverted USD recoupable art-1', was: 0, ledger: 22_000 },
    ]);
    // ...and the reconciliation's metric counts it, as it counts a share repair stated before a retry.
    expect(h.measure.totals('ReconciliationDrift')).toEqual({ EUR: 100_000, USD: 22_000 });
  });
});

// docs/design.md#failures-and-retries: the repair's write of the release (with its drift record and
// Budget Drift Repaired) is applied and answered as refused (its answer lost, the resend refused by
// it). Read again, the order was released, and the repair was taken for another writer's: the drift it
// wrote and stated was left out of the ReconciliationDrift metric.
describe('a repair of a lost release whose write landed while its answer was lost', () => {
  it('is measured as the drift it stated', async () => {
    const h = await lostRelease([videoOrder(), directorInvoice]);
    const lost = refusedOnceAfterLanding(h.store, 'writeLedger', (_label, _budget, write) => !!write.drift);
    await h.reconcile('2027-03-06');

    expect(lost()).toBe(true);
    expect(driftStated(h, 'bud-1')).toEqual([
      { total: 'committed radio', was: 50_000, ledger: 0 },
      { total: 'recoupable art-1', was: 50_000, ledger: 0 },
    ]);
    expect(h.measure.totals('ReconciliationDrift')).toEqual({ EUR: 100_000 });
  });
});
