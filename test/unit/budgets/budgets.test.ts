import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { fanOutReconciliation } from '#functions/budgets/reconcile.ts';
import { counter, unconvertedListed } from '#shared/budgets/ledger.ts';
import { BudgetReconciliationDue, BudgetSet, buildDetail, ReconciliationDue } from '#shared/events/index.ts';
import { budgetTemplates } from '#shared/mail/budget-templates.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';
import {
  aBudget,
  anExpense,
  aParsedBody,
  aVersion1Budget,
  budgetsHarness,
} from '#test/support/budgets-harness.ts';

const totalsOf = async (h: ReturnType<typeof budgetsHarness>, budgetId = 'bud-1') =>
  (await h.ledger(budgetId)).totals;

/** bud-1's purchase order po-1 on radio, `minor` EUR. */
const anOrder = (minor: number) =>
  anExpense({ expenseId: 'po-1', kind: 'commitment', amount: { minor, currency: 'EUR' } });

/** Its invoice inv-1, booked to `budgetId`: 550.00 USD on 4 March, a date no rate converts yet. */
const anUnconvertedInvoice = (budgetId = 'bud-1') =>
  anExpense({
    expenseId: 'inv-1',
    budgetId,
    settles: 'po-1',
    date: '2027-03-04',
    amount: { minor: 55_000, currency: 'USD' },
  });

describe('the budget ledger', () => {
  it('upgrades a version 1 budget.set at intake into one line of category other', () => {
    const parsed = aParsedBody(
      'budget.set',
      '2027-01-05T10:00:00Z',
      aVersion1Budget('EUR', 'Owner@Label.example'),
    );
    const broken = aParsedBody('budget.set', '2027-01-05T10:00:00Z', { ...aBudget(), currency: 'EURO' });

    expect(parsed.ok && BudgetSet.data.parse(parsed.body.data)).toMatchObject({
      currency: 'EUR',
      period: { start: '2027-01-01', end: '2027-06-30' },
      owner: { email: 'owner@label.example' },
      thresholds: [80, 100],
      lines: [{ lineId: 'budget', category: 'other', planned: { minor: 500_000, currency: 'EUR' } }],
    });
    expect(broken.ok ? [] : broken.error.issues.map((i) => i.path)).toContain('data.currency');
  });

  it('counts a repeated expense once, and a correction and a void by the label’s timestamp whatever order they arrive in', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());

    await h.voidExpense(
      { expenseId: 'exp-2', budgetId: 'bud-1' },
      { occurredAt: '2027-03-03T12:00:00.000Z' },
    );
    await h.amend(anExpense({ amount: { minor: 12_000, currency: 'EUR' } }), {
      occurredAt: '2027-03-02T12:00:00.000Z',
      eventId: 'a1',
    });
    const recorded = { occurredAt: '2027-03-02T10:00:00.000Z', eventId: 'r1' };
    await h.expense(anExpense(), recorded);
    await h.expense(anExpense(), recorded);
    await h.expense(anExpense({ expenseId: 'exp-2', amount: { minor: 7_000, currency: 'EUR' } }), {
      occurredAt: '2027-03-02T11:00:00.000Z',
    });

    expect(await totalsOf(h)).toEqual({ [counter.actual('radio')]: 12_000 });
    expect((await h.ledger('bud-1')).versions).toHaveLength(4);
  });

  it('closes a commitment when an actual settles it, in either order, and reopens it when that actual is voided', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    const po = anExpense({
      expenseId: 'po-1',
      kind: 'commitment',
      amount: { minor: 20_000, currency: 'EUR' },
    });
    const invoice = anExpense({
      expenseId: 'inv-1',
      settles: 'po-1',
      amount: { minor: 19_000, currency: 'EUR' },
      vat: { minor: 3_800, currency: 'EUR' },
    });

    await h.expense(invoice);
    const settledFirst = await totalsOf(h);
    await h.expense(po);
    const both = await totalsOf(h);
    await h.voidExpense({ expenseId: 'inv-1', budgetId: 'bud-1' });

    expect(settledFirst).toEqual({ [counter.actual('radio')]: 19_000, [counter.vat()]: 3_800 });
    expect(both).toEqual(settledFirst);
    expect(await totalsOf(h)).toEqual({ [counter.committed('radio')]: 20_000 });
  });

  it('keeps a commitment committed while the actual that settles it has no rate, and closes it once a rate converts the actual', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anOrder(50_000));

    await h.expense(anUnconvertedInvoice());
    const withoutRate = await totalsOf(h);
    await h.reconcile('2027-03-05');
    const reconciledWithoutRate = await totalsOf(h);
    await h.store.putRates('2027-03-04', { 'USD/EUR': '0.9' }, '2027-03-05T09:00:00.000Z');
    await h.reconcile('2027-03-06');

    // The 500.00 EUR the order holds stays spent until the invoice can take its place in EUR.
    expect(withoutRate).toEqual({
      [counter.committed('radio')]: 50_000,
      [counter.unconverted('USD', 'actual')]: 55_000,
    });
    expect(reconciledWithoutRate).toEqual(withoutRate);
    expect(await totalsOf(h)).toEqual({ [counter.actual('radio')]: 49_500 });
    expect(h.events('Budget Drift Repaired')).toEqual([]);
  });

  it('releases an order held in another budget once an invoice booked here settles it, in either order, and holds it again when the invoice is voided', async () => {
    for (const invoiceFirst of [false, true]) {
      const h = budgetsHarness();
      await h.budget(aBudget());
      await h.budget(aBudget({ budgetId: 'bud-2' }));
      const order = () => h.expense(anOrder(20_000));
      // The invoice of bud-1's purchase order, booked to bud-2.
      const invoice = () =>
        h.expense(
          anExpense({
            expenseId: 'inv-1',
            budgetId: 'bud-2',
            settles: 'po-1',
            amount: { minor: 19_000, currency: 'EUR' },
          }),
        );
      if (invoiceFirst) await invoice();
      await order();
      if (!invoiceFirst) await invoice();
      const settled = { order: await totalsOf(h, 'bud-1'), invoice: await totalsOf(h, 'bud-2') };
      await h.reconcile('2027-03-05');
      const reconciled = { order: await totalsOf(h, 'bud-1'), invoice: await totalsOf(h, 'bud-2') };
      await h.voidExpense({ expenseId: 'inv-1', budgetId: 'bud-2' });

      // Counted once: the invoice in bud-2, and no longer the order it settles in bud-1.
      expect(settled, `invoice first: ${invoiceFirst}`).toEqual({
        order: {},
        invoice: { [counter.actual('radio')]: 19_000 },
      });
      expect(reconciled).toEqual(settled);
      expect(h.events('Budget Drift Repaired')).toEqual([]);
      expect(await totalsOf(h, 'bud-1')).toEqual({ [counter.committed('radio')]: 20_000 });
      expect(await totalsOf(h, 'bud-2')).toEqual({});
    }
  });

  it('keeps an order of another budget committed while the invoice settling it has no rate, and releases it once a rate converts the invoice', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    await h.expense(anOrder(50_000));
    await h.expense(anUnconvertedInvoice('bud-2'));
    const withoutRate = await totalsOf(h, 'bud-1');
    await h.store.putRates('2027-03-04', { 'USD/EUR': '0.9' }, '2027-03-05T09:00:00.000Z');
    await h.reconcile('2027-03-06');

    expect(withoutRate).toEqual({ [counter.committed('radio')]: 50_000 });
    expect(await totalsOf(h, 'bud-2')).toEqual({ [counter.actual('radio')]: 49_500 });
    expect(await totalsOf(h, 'bud-1')).toEqual({});
    expect(h.events('Budget Drift Repaired')).toEqual([]);
  });

  it('holds an expense for an unknown budget and counts it when the budget arrives', async () => {
    const h = budgetsHarness();

    await h.expense(anExpense({ budgetId: 'bud-later' }));
    const held = await h.store.heldExpenses(undefined, '2999-01-01');
    await h.budget(aBudget({ budgetId: 'bud-later' }));

    expect(held.map((e) => e.expenseId)).toEqual(['exp-1']);
    expect(await totalsOf(h, 'bud-later')).toEqual({ [counter.actual('radio')]: 10_000 });
    expect(await h.store.heldExpenses(undefined, '2999-01-01')).toEqual([]);
  });

  it('counts the expenses held for a budget when its Budget Set is redelivered after the first attempt stored the terms and failed', async () => {
    const h = budgetsHarness();
    await h.expense(anExpense());
    // The terms are stored, then reading the ledger fails (throttling, a timeout): the handler
    // throws and Lambda delivers the same event again.
    const ledger = h.store.ledger.bind(h.store);
    let failed = false;
    h.store.ledger = async (...args) => {
      if (!failed) {
        failed = true;
        throw new Error('ProvisionedThroughputExceededException');
      }
      return ledger(...args);
    };
    const meta = { occurredAt: '2027-03-01T09:00:00.000Z', eventId: 'evt-budget-set' };
    await expect(h.deliver(BudgetSet, aBudget(), meta)).rejects.toThrow();

    await h.deliver(BudgetSet, aBudget(), meta);
    await h.deliver(BudgetSet, aBudget(), meta);

    expect(await totalsOf(h)).toEqual({ [counter.actual('radio')]: 10_000 });
    expect(await h.store.heldExpenses(undefined, '2999-01-01')).toEqual([]);
  });

  it('counts an expense whose budget was set while the expense was being written', async () => {
    const h = budgetsHarness();
    const writeLedger = h.store.writeLedger.bind(h.store);
    let raced = false;
    // The expense has read the budget (none yet); the budget arrives and is counted before the expense's write lands.
    h.store.writeLedger = async (...args) => {
      if (!raced) {
        raced = true;
        await h.budget(aBudget());
      }
      return writeLedger(...args);
    };

    await h.expense(anExpense());

    expect(await totalsOf(h)).toEqual({ [counter.actual('radio')]: 10_000 });
  });

  it('keeps an amount without a rate unconverted, converts it with the rate it carries or the rate table of its date, half-even', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.store.putRates('2027-03-05', { 'EUR/GBP': '0.8' }, '2027-03-05T00:00:00.000Z');

    await h.expense(anExpense({ expenseId: 'gbp-1', amount: { minor: 10_000, currency: 'GBP' } }));
    await h.expense(
      anExpense({
        expenseId: 'jpy-1',
        amount: { minor: 1_000, currency: 'JPY' },
        rate: { value: '0.00625', date: '2027-03-02', source: 'ECB' },
      }),
    );
    await h.expense(
      anExpense({ expenseId: 'gbp-2', date: '2027-03-05', amount: { minor: 10_001, currency: 'GBP' } }),
    );

    expect(await totalsOf(h)).toEqual({
      [counter.unconverted('GBP', 'actual')]: 10_000,
      // 1,000 JPY at 0.00625 = 6.25 EUR; 100.01 GBP / 0.8 = 125.0125 EUR.
      [counter.actual('radio')]: 625 + 12_501,
    });
  });

  it('counts the recoupable share per artist and VAT apart from the net', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());

    await h.expense(
      anExpense({
        amount: { minor: 10_001, currency: 'EUR' },
        vat: { minor: 2_000, currency: 'EUR' },
        recoupable: { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 50 },
      }),
    );

    expect(await totalsOf(h)).toEqual({
      [counter.actual('radio')]: 10_001,
      [counter.vat()]: 2_000,
      [counter.recoupable('art-1')]: 5_000,
    });
    expect(await h.store.recoupable('lbl-1', 'art-1')).toEqual([
      { budgetId: 'bud-1', expenseId: 'exp-1', amount: { minor: 5_000, currency: 'EUR' } },
    ]);
  });

  it('counts an expense amended onto another budget of the label once, under the budget its latest version names, in either order', async () => {
    const inOrder = budgetsHarness();
    const reversed = budgetsHarness();
    for (const h of [inOrder, reversed]) {
      await h.budget(aBudget());
      await h.budget(aBudget({ budgetId: 'bud-2' }));
    }
    const recorded = { occurredAt: '2027-03-02T10:00:00.000Z', eventId: 'evt-recorded' };
    const amended = { occurredAt: '2027-03-02T11:00:00.000Z', eventId: 'evt-amended' };

    // The label books it to the other budget: the amendment restates the expense whole.
    await inOrder.expense(anExpense(), recorded);
    await inOrder.amend(anExpense({ budgetId: 'bud-2' }), amended);
    await reversed.amend(anExpense({ budgetId: 'bud-2' }), amended);
    await reversed.expense(anExpense(), recorded);
    await reversed.expense(anExpense(), recorded);

    for (const h of [inOrder, reversed]) {
      expect({ 'bud-1': await totalsOf(h), 'bud-2': await totalsOf(h, 'bud-2') }).toEqual({
        'bud-1': {},
        'bud-2': { [counter.actual('radio')]: 10_000 },
      });
      const left = (await h.ledger('bud-1')).states;
      expect(left).toEqual([
        expect.objectContaining({ expenseId: 'exp-1', movedTo: 'bud-2', contribution: {} }),
      ]);
      expect(left[0].data).toBeUndefined();
    }
  });

  it('counts an expense amended back to the budget it left there again, and its reconciliation finds no drift', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.budget(aBudget({ budgetId: 'bud-2' }));

    await h.expense(anExpense(), { occurredAt: '2027-03-02T10:00:00.000Z' });
    await h.amend(anExpense({ budgetId: 'bud-2' }), { occurredAt: '2027-03-02T11:00:00.000Z' });
    await h.amend(anExpense({ amount: { minor: 12_000, currency: 'EUR' } }), {
      occurredAt: '2027-03-02T12:00:00.000Z',
    });
    await h.reconcile('2027-03-03');

    expect({ 'bud-1': await totalsOf(h), 'bud-2': await totalsOf(h, 'bud-2') }).toEqual({
      'bud-1': { [counter.actual('radio')]: 12_000 },
      'bud-2': {},
    });
    expect(h.events('Budget Drift Repaired')).toEqual([]);
  });

  it('no longer holds an expense for a budget that never came once it is amended onto a budget of the label', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget({ budgetId: 'bud-2' }));

    await h.expense(anExpense({ budgetId: 'bud-never' }), { occurredAt: '2027-03-02T10:00:00.000Z' });
    await h.amend(anExpense({ budgetId: 'bud-2' }), { occurredAt: '2027-03-02T11:00:00.000Z' });

    expect(await totalsOf(h, 'bud-2')).toEqual({ [counter.actual('radio')]: 10_000 });
    expect(await h.store.heldExpenses(undefined, '2999-01-01')).toEqual([]);
  });

  it('keeps the ledger when the budget is sent again with a new plan', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    await h.expense(anExpense());

    await h.budget(aBudget({ thresholds: [90] }), '2027-03-02T00:00:00.000Z');

    expect(await totalsOf(h)).toEqual({ [counter.actual('radio')]: 10_000 });
    expect((await h.store.getBudget('lbl-1', 'bud-1'))?.thresholds).toEqual([90]);
  });
});

describe('an expense moved between budgets, changes landing together', () => {
  it('gives the budget it left the void that lands while the expense is recorded there late', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget({ budgetId: 'left' }), '2027-03-01T00:00:00.000Z');
    await h.budget(aBudget({ budgetId: 'home' }), '2027-03-01T00:00:00.000Z');
    const at = (second: number) => ({
      occurredAt: `2027-03-02T00:00:0${second}.000Z`,
      eventId: `e${second}`,
    });
    // Moved to home first; then its record in left (late) and its void in home land together.
    await h.amend(anExpense({ expenseId: 'x', budgetId: 'home' }), at(2));
    let voidFiled = () => {};
    const voidFiledFirst = new Promise<void>((resolve) => {
      voidFiled = resolve;
    });
    let recordDone = () => {};
    const recorded = new Promise<void>((resolve) => {
      recordDone = resolve;
    });
    const file = h.store.fileExpenseUnder.bind(h.store);
    h.store.fileExpenseUnder = async (labelId, expenseId, budgetId) => {
      // The record in left is filed after the void's filing in home was read...
      if (budgetId === 'left') await voidFiledFirst;
      const filed = await file(labelId, expenseId, budgetId);
      if (budgetId === 'home') voidFiled();
      return filed;
    };
    const write = h.store.writeLedger.bind(h.store);
    h.store.writeLedger = async (labelId, budgetId, changes) => {
      // ...and read the states of both budgets before the void was written in home.
      if (budgetId === 'home' && changes.versions.some((v) => v.change === 'voided')) await recorded;
      return write(labelId, budgetId, changes);
    };

    await Promise.all([
      h.expense(anExpense({ expenseId: 'x', budgetId: 'left' }), at(1)).then(recordDone),
      h.voidExpense({ expenseId: 'x', budgetId: 'home' }, at(3)),
    ]);

    expect((await h.ledger('left')).versions.map((v) => v.change).sort()).toEqual([
      'moved',
      'recorded',
      'voided',
    ]);
    expect((await h.ledger('home')).versions.map((v) => v.change).sort()).toEqual(['amended', 'voided']);
  });
});

describe('the daily reconciliation', () => {
  it('fans out one Budget Reconciliation Due per active budget, a page per invocation, each page once', async () => {
    const store = new InMemoryBudgets();
    for (let i = 0; i < 5; i++)
      await store.saveBudget({
        ...BudgetSet.data.parse(aBudget({ budgetId: `bud-${i}` })),
        labelId: 'lbl-1',
        occurredAt: '2027-01-01T00:00:00.000Z',
      });
    await store.saveBudget({
      ...BudgetSet.data.parse(
        aBudget({ budgetId: 'bud-ended', period: { start: '2026-01-01', end: '2026-12-31' } }),
      ),
      labelId: 'lbl-1',
      occurredAt: '2027-01-01T00:00:00.000Z',
    });
    const deps = { store, timeZone: 'Europe/London' };
    const due = buildDetail(ReconciliationDue, {}, { occurredAt: '2027-03-02T07:00:00.000Z' });

    await fanOutReconciliation(due.data, due.metadata, deps, 2);
    await fanOutReconciliation(due.data, due.metadata, deps, 2);
    for (;;) {
      const next = store.published.filter((e) => e.detailType === 'Reconciliation Due').at(-1);
      const before = store.published.length;
      if (next) await fanOutReconciliation(next.detail.data as never, next.detail.metadata, deps, 2);
      if (store.published.length === before) break;
    }

    const perBudget = store.published.filter((e) => e.detailType === BudgetReconciliationDue.detailType);
    expect(perBudget.map((e) => (e.detail.data as { budgetId: string }).budgetId).sort()).toEqual([
      'bud-0',
      'bud-1',
      'bud-2',
      'bud-3',
      'bud-4',
    ]);
    expect(perBudget.every((e) => (e.detail.data as { date: string }).date === '2027-03-02')).toBe(true);
  });

  it('repairs drift in the running totals from the ledger and reports it', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anExpense());
    const totals = h.store.totals.get(JSON.stringify(['lbl-1', 'bud-1']));
    if (totals) totals.counters[counter.actual('radio')] += 500;

    await h.reconcile('2027-03-03');

    expect(await totalsOf(h)).toEqual({ [counter.actual('radio')]: 10_000 });
    expect(h.events('Budget Drift Repaired').map((e) => e.detail.data)).toEqual([
      {
        labelId: 'lbl-1',
        budgetId: 'bud-1',
        date: '2027-03-03',
        differences: [{ total: 'actual radio', was: 10_500, ledger: 10_000 }],
      },
    ]);
    expect((await h.ledger('bud-1')).drift).toHaveLength(1);
    expect(h.measure.records.filter((r) => r.name === 'ReconciliationDrift')).toEqual([
      { name: 'ReconciliationDrift', dimensions: { currency: 'EUR' }, value: 500 },
    ]);
  });

  it('counts an unconverted expense once a rate for its date is added', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anExpense({ amount: { minor: 10_000, currency: 'USD' } }));
    await h.reconcile('2027-03-03');
    const before = h.store.budgets.get(JSON.stringify(['lbl-1', 'bud-1']))?.lastResult?.unconverted;

    await h.store.putRates('2027-03-02', { 'USD/EUR': '0.9' }, '2027-03-03T09:00:00.000Z');
    await h.reconcile('2027-03-04');

    expect(before?.first.map((u) => u.expenseId)).toEqual(['exp-1']);
    expect(await totalsOf(h)).toEqual({ [counter.actual('radio')]: 9_000 });
    expect(h.events('Budget Drift Repaired')).toEqual([]);
  });

  it("converts each expense the reconciliation counts again at its own date's rate, not at another day's it read beside it", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anExpense({ date: '2027-03-02', amount: { minor: 10_000, currency: 'USD' } }));
    await h.expense(
      anExpense({ expenseId: 'exp-2', date: '2027-03-03', amount: { minor: 20_000, currency: 'USD' } }),
    );

    await h.store.putRates('2027-03-02', { 'USD/EUR': '0.9' }, '2027-03-04T09:00:00.000Z');
    await h.store.putRates('2027-03-03', { 'USD/EUR': '0.8' }, '2027-03-04T09:00:00.000Z');
    await h.reconcile('2027-03-04');

    // 100.00 USD at 2 March's 0.9 and 200.00 USD at 3 March's 0.8.
    expect(await totalsOf(h)).toEqual({ [counter.actual('radio')]: 9_000 + 16_000 });
    expect(h.events('Budget Drift Repaired')).toEqual([]);
  });

  it("lists the first unconverted expenses in the owner's report and counts and sums the rest per currency", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    const extra = 3;
    for (let i = 0; i < unconvertedListed + extra; i++)
      await h.expense(
        anExpense({
          expenseId: `exp-${String(i).padStart(2, '0')}`,
          amount: { minor: 10_000, currency: 'USD' },
          ...(i % 2 ? { amount: { minor: 5_000, currency: 'GBP' }, kind: 'commitment' as const } : {}),
        }),
      );
    await h.reconcile('2027-03-03');
    await h.report('2027-03-03');
    const listed = h
      .received()
      .filter((m) => m.kind === 'budget-report')
      .flatMap((m) => (m.data as { text: { unconverted: string[] } }).text.unconverted);

    expect(listed).toHaveLength(unconvertedListed + 1);
    expect(listed[0]).toBe(
      'bud-1: exp-00 (Airplay Partners, 2027-03-02) 100.00 USD: no USD/EUR rate for 2027-03-02',
    );
    expect(listed.at(-1)).toBe(
      "bud-1: 3 more not listed here (the budget's view lists every one, a page at a time); 23 in all need a rate: 550.00 GBP commitment; 1,200.00 USD actual",
    );
  });

  it('alerts once per threshold, warns of the forecast before the money runs out, and names a line over plan', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    const alertsOn = new Map<string, string[]>();
    // 6,000 EUR a day against 100,000 EUR for 30 days: the forecast goes over long before the spend does.
    for (let day = 1; day <= 20; day++) {
      const date = `2027-03-${String(day).padStart(2, '0')}`;
      await h.expense(
        anExpense({ expenseId: `exp-${day}`, date, amount: { minor: 6_000, currency: 'EUR' } }),
      );
      const before = h.received().length;
      await h.reconcile(date);
      await h.reconcile(date);
      alertsOn.set(
        date,
        h
          .received()
          .slice(before)
          .map((m) => (m.data as { text: { headline: string } }).text.headline),
      );
    }

    const days = [...alertsOn].filter(([, alerts]) => alerts.length > 0);
    expect(days).toEqual([
      // Day 4: 24,000 spent, 24,000 in the last 7 days; 76,000 left lasts 23 days at that rate.
      ['2027-03-04', ['At this rate the money runs out on 2027-03-27']],
      ['2027-03-09', ['50 % of the plan is spent']],
      ['2027-03-11', ['Line radio is over its plan']],
      ['2027-03-14', ['80 % of the plan is spent']],
      ['2027-03-17', ['100 % of the plan is spent']],
    ]);
    expect(h.deliveries.claims).toBe(5);
    expect(h.events('Budget Threshold Crossed')).toHaveLength(3);
    expect(h.events('Budget Forecast Over')).toHaveLength(1);
    expect(h.events('Budget Line Over Plan')).toHaveLength(1);
    expect(h.events('Budget Reconciled')).toHaveLength(20);
    expect(h.measure.totals('BudgetThresholdAlerts')).toEqual({ '50': 1, '80': 1, '100': 1 });
    expect(h.measure.totals('MailsSent')).toEqual({
      'forecast-over/operational': 1,
      'line-over-plan/operational': 1,
      'threshold-crossed/operational': 3,
    });
    expect(h.measure.totals('ReconciliationDrift')).toEqual({});
  });

  it('warns of no forecast when nothing was spent in the last 7 days: an invoice dated weeks back that takes the budget over the plan', async () => {
    const h = budgetsHarness({ now: '2027-03-20T07:00:00.000Z' });
    await h.budget(aBudget());
    // Dated 2 March, it arrives on the 20th: 1,200.00 EUR of 1,000.00 EUR, nothing in the last 7 days.
    await h.expense(anExpense({ date: '2027-03-02', amount: { minor: 120_000, currency: 'EUR' } }));

    await h.reconcile('2027-03-20');

    // The plan is spent (one warning, at the highest threshold crossed that day) and the line is over; at a
    // rate of nothing a day the money runs out on no day.
    const headlines = h.received().map((m) => (m.data as { text: { headline: string } }).text.headline);
    expect(headlines).toEqual(['100 % of the plan is spent', 'Line radio is over its plan']);
    expect(h.events('Budget Threshold Crossed')).toHaveLength(3);
    expect(h.events('Budget Forecast Over')).toEqual([]);
    expect(h.events('Budget Reconciled').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({ status: 'over', runsOutOn: '2027-03-20' }),
    ]);
  });

  it('states the share used rounded down, so it never reads as a threshold the spend has not reached', async () => {
    const h = budgetsHarness({ now: '2027-03-20T07:00:00.000Z' });
    await h.budget(aBudget());
    // 799.96 EUR of 1,000.00 EUR: 79.996 %, short of the 80 % threshold.
    await h.expense(anExpense({ date: '2027-03-01', amount: { minor: 79_996, currency: 'EUR' } }));

    await h.reconcile('2027-03-20');

    expect(h.events('Budget Reconciled').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({ usedPercent: 79.9 }),
    ]);
    expect(
      h.events('Budget Threshold Crossed').map((e) => (e.detail.data as { threshold: number }).threshold),
    ).toEqual([50]);
    expect(
      h
        .received()
        .filter((m) => m.kind === 'threshold-crossed')
        .map((m) => (m.data as { text: { detail: string } }).text.detail),
    ).toEqual(['On 2027-03-20 committed and actual spend reached 79.9 % of the plan.']);
  });

  it('alerts no second time when the budget is sent again with a later end, and again in a period with a new start', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    await h.expense(anExpense({ amount: { minor: 85_000, currency: 'EUR' } }));
    await h.reconcile('2027-03-03');
    const first = h.received().map((m) => m.kind);

    // The campaign runs a month longer: the same period, whose alerts were all mailed.
    await h.budget(
      aBudget({ period: { start: '2027-03-01', end: '2027-04-30' } }),
      '2027-03-04T00:00:00.000Z',
    );
    await h.reconcile('2027-03-05');
    const extended = h.received().length;
    await h.budget(
      aBudget({ period: { start: '2027-03-06', end: '2027-04-30' } }),
      '2027-03-06T00:00:00.000Z',
    );
    await h.reconcile('2027-03-07');

    // 85 %: the 50 and 80 % alerts raised, one warning mailed (at 80 %).
    expect(first).toEqual(['threshold-crossed', 'forecast-over', 'line-over-plan']);
    expect(extended).toBe(first.length);
    expect(h.events('Budget Threshold Crossed')).toHaveLength(4);
    expect(h.received()).toHaveLength(2 * first.length);
  });

  it('states and mails an alert once when the function stopped before marking it mailed and the budget then got a later end', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    await h.expense(anExpense({ amount: { minor: 85_000, currency: 'EUR' } }));
    const mark = h.store.markAlertMailed.bind(h.store);
    // It stops after the day's warning (at 80 %, stating 50 %) went out, before marking it mailed.
    h.store.markAlertMailed = async (labelId, budgetId, alertId) => {
      if (alertId.startsWith('threshold#80#')) throw new Error('the function stopped');
      await mark(labelId, budgetId, alertId);
    };
    await h.reconcile('2027-03-03').catch(() => undefined);
    h.store.markAlertMailed = mark;

    await h.budget(
      aBudget({ period: { start: '2027-03-01', end: '2027-04-30' } }),
      '2027-03-04T00:00:00.000Z',
    );
    await h.reconcile('2027-03-05');

    expect(h.events('Budget Threshold Crossed')).toHaveLength(2);
    expect(h.received().map((m) => m.kind)).toEqual(['threshold-crossed', 'forecast-over', 'line-over-plan']);
  });

  it('mails each owner one report a day, only when something changed or is at risk, with a bar of table cells', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.budget(
      aBudget({
        budgetId: 'bud-2',
        currency: 'JPY',
        lines: [{ lineId: 'ads', category: 'advertising', planned: { minor: 1_000_000, currency: 'JPY' } }],
      }),
    );
    await h.expense(anExpense());
    await h.expense(
      anExpense({
        expenseId: 'exp-2',
        invoiceNumber: 'INV-7',
        budgetId: 'bud-2',
        lineId: 'ads',
        amount: { minor: 1_000, currency: 'JPY' },
      }),
    );
    await h.expense(
      anExpense({
        expenseId: 'exp-3',
        invoiceNumber: 'INV-7',
        budgetId: 'bud-2',
        lineId: 'ads',
        amount: { minor: 1_000, currency: 'JPY' },
      }),
    );
    await h.reconcile('2027-03-03');

    await h.report('2027-03-03');
    await h.report('2027-03-03');
    const quietDay = h.received().length;
    await h.voidExpense({ expenseId: 'exp-3', budgetId: 'bud-2' });
    await h.reconcile('2027-03-04');
    await h.reconcile('2027-03-05');
    await h.report('2027-03-05');

    const reports = h.received().filter((m) => m.kind === 'budget-report');
    const [template] = budgetTemplates.filter((t) => t.name === reports[0].template);
    const html = Handlebars.compile(template.html)(reports[0].data);
    const text = Handlebars.compile(template.text)(reports[0].data);
    expect(reports).toHaveLength(1);
    expect(quietDay).toBe(h.received().length);
    expect(html).toContain('100.00 EUR');
    expect(html).toContain('2,000 JPY');
    expect(html.match(/bgcolor="#2e7d32"/g)).toHaveLength(2);
    expect(html).toContain('Airplay Partners invoice INV-7 under exp-2, exp-3');
    expect(text).toContain('bud-1 (release rel-2027-nightdrive): planned 1,000.00 EUR');
    expect(text).toContain('[##..................]');
  });
});
