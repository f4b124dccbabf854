import { describe, expect, it } from 'vitest';
import { counter } from '#shared/budgets/ledger.ts';
import {
  aBudget,
  anExpense,
  budgetsHarness,
  loseRelease,
  throttleFirstRelease,
} from '#test/support/budgets-harness.ts';

/** An invoice of one budget settling an order held in another. */
const totalsOf = async (h: ReturnType<typeof budgetsHarness>, budgetId: string) =>
  (await h.ledger(budgetId)).totals;

/** bud-1's purchase order po-1 (200.00 EUR on radio). */
const anOrder = (overrides: Partial<ReturnType<typeof anExpense>> = {}) =>
  anExpense({
    expenseId: 'po-1',
    kind: 'commitment',
    amount: { minor: 20_000, currency: 'EUR' },
    ...overrides,
  });
/** Its invoice inv-1 (190.00 EUR), booked to bud-2. */
const anInvoice = (overrides: Partial<ReturnType<typeof anExpense>> = {}) =>
  anExpense({
    expenseId: 'inv-1',
    budgetId: 'bud-2',
    settles: 'po-1',
    amount: { minor: 19_000, currency: 'EUR' },
    ...overrides,
  });

/** bud-1 and bud-2 set. */
const twoBudgets = async () => {
  const h = budgetsHarness();
  await h.budget(aBudget());
  await h.budget(aBudget({ budgetId: 'bud-2' }));
  return h;
};

/** bud-1 set, its order po-1 counted, and the invoice booked to `budgetId`, a budget not set (yet): held. */
const anInvoiceHeldFor = async (budgetId: string) => {
  const h = budgetsHarness();
  await h.budget(aBudget());
  await h.expense(anOrder());
  await h.expense(anInvoice({ budgetId }));
  return h;
};

/**
 * The daily run of `date`, at its 07:00: days after the writes (the harness's clock at 1 January), so a
 * release they owe and lost is no longer on its way (docs/design.md#budgets).
 */
const reconcileOn = async (h: ReturnType<typeof budgetsHarness>, date: string) => {
  h.setNow(`${date}T07:00:00.000Z`);
  await h.reconcile(date);
};

describe('an invoice of one budget settling an order held in another (docs/design.md#budgets)', () => {
  it('releases the order when the invoice is redelivered after its first attempt wrote it and failed before the release', async () => {
    const h = await twoBudgets();
    await h.expense(anOrder());
    // The invoice's own write lands; the release of the order in bud-1 (the write with checks) is
    // throttled: the handler throws and Lambda delivers the same event again.
    throttleFirstRelease(h);
    const meta = { occurredAt: '2027-03-03T09:00:00.000Z', eventId: 'evt-invoice' };
    await expect(h.expense(anInvoice(), meta)).rejects.toThrow();

    await h.expense(anInvoice(), meta);
    await h.reconcile('2027-03-05');

    expect(await totalsOf(h, 'bud-2')).toEqual({ [counter.actual('radio')]: 19_000 });
    // Counted once: the order's money is released in bud-1.
    expect(await totalsOf(h, 'bud-1')).toEqual({});
  });

  it("releases the order at the budgets' reconciliation when a budget set made the invoice settle and its release failed, and reports it as drift", async () => {
    const h = await anInvoiceHeldFor('bud-late');
    // bud-late is set: its recount counts the invoice, which now settles po-1; the release in bud-1
    // (the write with checks) is throttled, and the redelivery of the same Budget Set finds the
    // invoice counted already: nothing changed, so nothing tries the release again.
    await loseRelease(h, 'bud-late', '2027-03-03T09:00:00.000Z');
    expect(await totalsOf(h, 'bud-1')).toEqual({ [counter.committed('radio')]: 20_000 });

    await reconcileOn(h, '2027-03-05');

    expect(await totalsOf(h, 'bud-late')).toEqual({ [counter.actual('radio')]: 19_000 });
    // Counted once: the order's money is released in bud-1, and its owner is told the totals were wrong.
    expect(await totalsOf(h, 'bud-1')).toEqual({});
    expect(h.events('Budget Drift Repaired').map((e) => e.detail.data)).toEqual([
      {
        labelId: 'lbl-1',
        budgetId: 'bud-1',
        date: '2027-03-05',
        differences: [{ total: 'committed radio', was: 20_000, ledger: 0 }],
      },
    ]);
    expect((await h.ledger('bud-1')).drift).toHaveLength(1);
    // Repaired once: the next day finds nothing to repair.
    await h.reconcile('2027-03-06');
    expect(h.events('Budget Drift Repaired')).toHaveLength(1);
  });

  it('stops releasing the order at the reconciliation when the invoice that settled it was voided and that release failed', async () => {
    const h = await twoBudgets();
    await h.expense(anOrder());
    await h.expense(anInvoice());
    expect(await totalsOf(h, 'bud-1')).toEqual({});
    const writeLedger = h.store.writeLedger.bind(h.store);
    let failing = true;
    h.store.writeLedger = async (labelId, budgetId, write) => {
      if (failing && (write.checks?.length ?? 0) > 0)
        throw new Error('ProvisionedThroughputExceededException');
      return writeLedger(labelId, budgetId, write);
    };
    // The void is written in bud-2, the order's release in bud-1 is not taken back (every attempt fails).
    await expect(h.voidExpense({ budgetId: 'bud-2', expenseId: 'inv-1' })).rejects.toThrow();
    failing = false;

    await reconcileOn(h, '2027-03-05');

    expect(await totalsOf(h, 'bud-2')).toEqual({});
    expect(await totalsOf(h, 'bud-1')).toEqual({ [counter.committed('radio')]: 20_000 });
    expect(h.events('Budget Drift Repaired').map((e) => e.detail.data)).toMatchObject([
      { budgetId: 'bud-1', differences: [{ total: 'committed radio', was: 0, ledger: 20_000 }] },
    ]);
  });

  it('keeps the order committed while the invoice settling it is held for a budget not set (counted nowhere)', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anOrder());
    // bud-typo is never set: the invoice is held, counted in no budget.
    await h.expense(anInvoice({ budgetId: 'bud-typo' }));

    expect(await totalsOf(h, 'bud-typo')).toEqual({});
    expect(await totalsOf(h, 'bud-1')).toEqual({ [counter.committed('radio')]: 20_000 });
  });

  it('releases the order once the budget the invoice was held for is set and counts it', async () => {
    const h = await anInvoiceHeldFor('bud-late');
    await h.budget(aBudget({ budgetId: 'bud-late' }));

    expect(await totalsOf(h, 'bud-late')).toEqual({ [counter.actual('radio')]: 19_000 });
    expect(await totalsOf(h, 'bud-1')).toEqual({});
  });

  it("keeps the order released when the invoice's release lands while the order's budget is being reconciled", async () => {
    const h = await twoBudgets();
    // An order in USD: unconverted until the manager puts the day's rate.
    await h.expense(anOrder({ amount: { minor: 22_000, currency: 'USD' } }));
    await h.store.putRates('2027-03-02', { 'USD/EUR': '0.9' }, '2027-03-04T09:00:00.000Z');
    // bud-1's reconciliation reads its ledger (the order to count again at the new rate); the invoice
    // in bud-2 arrives and releases the order before the reconciliation writes its recount.
    const ledger = h.store.ledger.bind(h.store);
    let raced = false;
    h.store.ledger = async (labelId: string, budgetId: string) => {
      const read = await ledger(labelId, budgetId);
      if (!raced && budgetId === 'bud-1') {
        raced = true;
        await h.expense(anInvoice());
      }
      return read;
    };
    await h.reconcile('2027-03-05');

    expect(await totalsOf(h, 'bud-2')).toEqual({ [counter.actual('radio')]: 19_000 });
    // Counted once: the order's money stays released in bud-1.
    expect(await totalsOf(h, 'bud-1')).toEqual({});
    // and the next day's reconciliation does not bring it back either.
    await h.reconcile('2027-03-06');
    expect(await totalsOf(h, 'bud-1')).toEqual({});
  });

  it("gives the invoice's budget the same ledger rows of the order whichever arrives first", async () => {
    const rows = async (invoiceFirst: boolean) => {
      const h = await twoBudgets();
      if (invoiceFirst) await h.expense(anInvoice(), { occurredAt: '2027-03-03T09:00:00.000Z' });
      await h.expense(anOrder(), { occurredAt: '2027-03-02T09:00:00.000Z', eventId: 'evt-order' });
      if (!invoiceFirst) await h.expense(anInvoice(), { occurredAt: '2027-03-03T09:00:00.000Z' });
      return (await h.ledger('bud-2')).versions
        .filter((v) => v.expenseId === 'po-1')
        .map(({ receivedAt: _r, ...v }) => v);
    };
    expect(await rows(false)).toEqual(await rows(true));
    // The order never counted in bud-2: no moved row there either way.
    expect(await rows(true)).toEqual([]);
  });

  it("gives the invoice's budget no void row of the order, whether the invoice arrives before the void or after", async () => {
    const rows = async (invoiceFirst: boolean) => {
      const h = await twoBudgets();
      await h.expense(anOrder(), { occurredAt: '2027-03-02T09:00:00.000Z' });
      if (invoiceFirst) await h.expense(anInvoice(), { occurredAt: '2027-03-03T09:00:00.000Z' });
      await h.voidExpense(
        { budgetId: 'bud-1', expenseId: 'po-1', reason: 'cancelled' },
        { occurredAt: '2027-03-04T09:00:00.000Z' },
      );
      if (!invoiceFirst) await h.expense(anInvoice(), { occurredAt: '2027-03-03T09:00:00.000Z' });
      return (await h.ledger('bud-2')).versions.filter((v) => v.expenseId === 'po-1');
    };
    expect(await rows(true)).toEqual([]);
    expect(await rows(false)).toEqual([]);
  });
});

/** The daily reconciliation as the safety net of releases across budgets. */
describe("the reconciliation's repair of a release lost between budgets (docs/design.md#budgets)", () => {
  it('measures the drift a reconciliation repaired in the order’s budget as ReconciliationDrift (README: the difference a reconciliation repaired)', async () => {
    const h = await anInvoiceHeldFor('bud-late');
    await loseRelease(h, 'bud-late', '2027-03-03T09:00:00.000Z');
    expect(await totalsOf(h, 'bud-1')).toEqual({ [counter.committed('radio')]: 20_000 });

    await reconcileOn(h, '2027-03-05');

    // Repaired: bud-1's committed radio went from 200.00 to 0 (Budget Drift Repaired says so) ...
    expect(await totalsOf(h, 'bud-1')).toEqual({});
    expect(h.events('Budget Drift Repaired')).toHaveLength(1);
    // ... and the operator's drift metric counts it like any other repair.
    expect(h.measure.totals('ReconciliationDrift')).toEqual({ EUR: 20_000 });
  });

  it("lists the repair in no day's result, also when the order's budget is reconciled after the invoice's budget repaired it", async () => {
    // The invoice booked to bud-0, reconciled before bud-1.
    const h = await anInvoiceHeldFor('bud-0');
    // bud-0 is set; the release its recount makes is throttled, and lost (loseRelease).
    await loseRelease(h, 'bud-0', '2027-03-03T09:00:00.000Z');

    await reconcileOn(h, '2027-03-05');

    // Repaired by bud-0's reconciliation, stated and measured there...
    expect(await totalsOf(h, 'bud-1')).toEqual({});
    expect(h.events('Budget Drift Repaired').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({ budgetId: 'bud-1', date: '2027-03-05' }),
    ]);
    expect(h.measure.totals('ReconciliationDrift')).toEqual({ EUR: 20_000 });
    // ...and in bud-1's drift history, but in neither budget's day result (bud-0's lists its own totals).
    expect((await h.ledger('bud-1')).drift).toEqual([expect.objectContaining({ by: 'bud-0' })]);
    for (const budgetId of ['bud-0', 'bud-1'])
      expect((await h.store.getBudget(h.labelId, budgetId))?.lastResult).toEqual(
        expect.objectContaining({ date: '2027-03-05', drift: [] }),
      );
  });

  it("reads the running totals alone of the order's budget for the repair's drift, and the invoice's budget's ledger once", async () => {
    const h = await anInvoiceHeldFor('bud-late');
    await loseRelease(h, 'bud-late', '2027-03-03T09:00:00.000Z');
    const reads: string[] = [];
    const ledger = h.store.ledger.bind(h.store);
    h.store.ledger = async (labelId: string, budgetId: string, options?: { consistent?: boolean }) => {
      reads.push(`${budgetId}${options?.consistent ? ' strongly' : ''}`);
      return ledger(labelId, budgetId);
    };

    await reconcileOn(h, '2027-03-05');

    expect(h.events('Budget Drift Repaired')).toHaveLength(1);
    // bud-1's whole partition (its every version) is read by its own reconciliation only; the
    // repair in it changes nothing in bud-late's ledger, which is not read again.
    expect(reads.sort()).toEqual(['bud-1', 'bud-late']);
  });

  it('writes nothing at the daily reconciliation when every release across budgets is in place', async () => {
    const h = await twoBudgets();
    await h.expense(anOrder());
    await h.expense(anInvoice());
    // Released as it should be: nothing for the safety net to repair.
    expect(await totalsOf(h, 'bud-1')).toEqual({});
    const writes: string[] = [];
    const fileExpenseUnder = h.store.fileExpenseUnder.bind(h.store);
    h.store.fileExpenseUnder = async (labelId, expenseId, budgetId) => {
      writes.push(`fileExpenseUnder ${expenseId} ${budgetId}`);
      return fileExpenseUnder(labelId, expenseId, budgetId);
    };
    const writeLedger = h.store.writeLedger.bind(h.store);
    h.store.writeLedger = async (labelId, budgetId, write) => {
      writes.push(`writeLedger ${budgetId}`);
      return writeLedger(labelId, budgetId, write);
    };

    await h.reconcile('2027-03-05');
    await h.reconcile('2027-03-06');

    // Each filing is an UpdateItem on DynamoDB (a write unit whether or not it changes the item).
    expect(writes).toEqual([]);
  });
});
