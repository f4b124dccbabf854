import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import { budgetStatusText } from '#infra/cli/backline.ts';
import { emptyState, withVersion } from '#shared/budgets/ledger.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import {
  aBudget,
  anExpense,
  aParsedBody,
  aVersion1Budget,
  budgetsHarness,
} from '#test/support/budgets-harness.ts';
import { consolePageOver } from '#test/support/console.ts';
import { InMemoryLabels } from '#test/support/intake.ts';

/** One office route, called as the management API would, on the harness's store. */
const call = async (
  h: ReturnType<typeof budgetsHarness>,
  method: string,
  path: string,
  event: Partial<HttpEvent>,
): Promise<HttpResult> => {
  const route = budgetRoutes({
    budgets: h.store,
    labels: new InMemoryLabels(),
    now: () => new Date('2027-03-10T12:00:00Z'),
    timeZone: 'America/Los_Angeles',
  }).find((r) => r.method === method && r.path === path)!;
  return (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
    headers: {},
    isBase64Encoded: false,
    ...event,
  } as never);
};

describe('webhook bodies with money in a currency that is not one', () => {
  it('answers 400 naming data.amount.currency for an expense in a code ISO 4217 does not have', () => {
    // EUE: a typo of EUR. Accepted, it could never be converted: no rate can be put for it.
    const parsed = aParsedBody(
      'expense.recorded',
      '2027-03-02T10:00:00Z',
      anExpense({ amount: { minor: 10_000, currency: 'EUE' } }),
    );

    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.error.issues.map((i) => i.path)).toContain('data.amount.currency');
  });

  it('answers 400 naming data.limit.currency, the field the label sent, for a version 1 budget in an unknown currency', () => {
    const parsed = aParsedBody('budget.set', '2027-01-05T10:00:00Z', aVersion1Budget('EUE'));

    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.error.issues.map((i) => i.path)).toEqual(['data.limit.currency']);
  });
});

describe("the owner's report in the manager's time zone", () => {
  it("says an expense held for a budget that never came was first seen on the manager's calendar day, not UTC's", async () => {
    // 05:00 UTC on 2 March is 21:00 on 1 March in Los Angeles.
    const h = budgetsHarness({ timeZone: 'America/Los_Angeles', now: '2027-03-02T05:00:00.000Z' });
    await h.budget(aBudget());
    await h.expense(anExpense({ expenseId: 'exp-held', budgetId: 'bud-typo' }));

    for (let d = 2; d <= 10; d++) {
      const date = `2027-03-${String(d).padStart(2, '0')}`;
      h.setNow(`${date}T15:30:00.000Z`);
      await h.reconcile(date);
      await h.report(date);
    }
    const held = h
      .received()
      .filter((m) => m.kind === 'budget-report')
      .flatMap((m) => (m.data as { text: { held: string[] } }).text.held);

    expect(held).toHaveLength(1);
    expect(held[0]).toContain('first seen 2027-03-01');
  });
});

/** A purchase order for the whole radio line (600.00 EUR) on 2 March. */
const radioOrder = () =>
  anExpense({
    expenseId: 'po-radio',
    kind: 'commitment',
    date: '2027-03-02',
    amount: { minor: 60_000, currency: 'EUR' },
  });
/** Its invoice on 20 March, `minor` EUR. */
const radioInvoice = (minor: number) =>
  anExpense({
    expenseId: 'inv-radio',
    settles: 'po-radio',
    date: '2027-03-20',
    amount: { minor, currency: 'EUR' },
  });

describe("the daily reconciliation's burn rate and forecast", () => {
  it('does not count an invoice that settles an earlier purchase order as new spend: no forecast warning when nothing more was spent', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    // A purchase order for the whole radio line early in the month...
    await h.expense(radioOrder());
    await h.reconcile('2027-03-12');
    // ...and, weeks later, its invoice for the same amount: committed becomes actual, nothing more is spent.
    await h.expense(radioInvoice(60_000));
    await h.reconcile('2027-03-21');

    const last = (await h.store.getBudget('lbl-1', 'bud-1'))?.lastResult;
    // 60,000 of 100,000 used since 2 March; the last 7 days added nothing to it.
    expect({ used: (last?.committed ?? 0) + (last?.actual ?? 0), burnRate7: last?.burnRate7 }).toEqual({
      used: 60_000,
      burnRate7: 0,
    });
    expect(h.events('Budget Forecast Over')).toEqual([]);
  });

  it('counts an invoice that settles a purchase order voided before as new spend: the order never counted', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(radioOrder());
    await h.voidExpense({ expenseId: 'po-radio', budgetId: 'bud-1' });
    await h.expense(radioInvoice(70_000));

    await h.reconcile('2027-03-21');

    const last = (await h.store.getBudget('lbl-1', 'bud-1'))?.lastResult;
    // All 70,000 were spent in the last 7 days (10,000 a day), none of it held by the voided order.
    expect({ actual: last?.actual, burnRate7: last?.burnRate7 }).toEqual({
      actual: 70_000,
      burnRate7: 10_000,
    });
    expect(h.events('Budget Forecast Over')).toHaveLength(1);
  });

  it('counts what two invoices settling one earlier purchase order pay beyond it as new spend: the order is paid once', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    // 600.00 EUR ordered on 2 March, then invoiced as 400.00 (19 March) and 350.00 (20 March): 150.00 over the order.
    await h.expense(radioOrder());
    await h.expense({ ...radioInvoice(40_000), expenseId: 'inv-radio-1', date: '2027-03-19' });
    await h.expense({ ...radioInvoice(35_000), expenseId: 'inv-radio-2' });

    await h.reconcile('2027-03-21');

    const last = (await h.store.getBudget('lbl-1', 'bud-1'))?.lastResult;
    // 600.00 used since 2 March, 750.00 now: the last 7 days spent 150.00, 21.43 a day.
    expect({ actual: last?.actual, burnRate7: last?.burnRate7 }).toEqual({
      actual: 75_000,
      burnRate7: 2_143,
    });
  });

  it('counts an invoice that names an earlier invoice as the order it settles as new spend: an invoice commits nothing', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    // The studio's deposit invoice (400.00 EUR, 2 March), and its balance (300.00 EUR, 20 March) naming the deposit.
    await h.expense({ ...radioOrder(), kind: 'actual', amount: { minor: 40_000, currency: 'EUR' } });
    await h.expense({ ...radioInvoice(30_000), expenseId: 'inv-radio-balance' });

    await h.reconcile('2027-03-21');

    const last = (await h.store.getBudget('lbl-1', 'bud-1'))?.lastResult;
    // Both count (700.00); the last 7 days spent the balance's 300.00, 42.86 a day.
    expect({ actual: last?.actual, burnRate7: last?.burnRate7 }).toEqual({
      actual: 70_000,
      burnRate7: 4_286,
    });
  });
});

describe('an expense voided after it was amended onto another budget', () => {
  /** bud-1 and bud-2 set, and exp-1 recorded in bud-1 at 10:00. */
  const exp1InBud1 = async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    await h.expense(anExpense(), { occurredAt: '2027-03-02T10:00:00.000Z' });
    return h;
  };
  /** The label's void of exp-1 naming bud-1, at 12:00; its amendment onto bud-2 at 11:00. */
  const voidExp1 = (h: ReturnType<typeof budgetsHarness>) =>
    h.voidExpense({ expenseId: 'exp-1', budgetId: 'bud-1' }, { occurredAt: '2027-03-02T12:00:00.000Z' });
  const amendOntoBud2 = (h: ReturnType<typeof budgetsHarness>) =>
    h.amend(anExpense({ budgetId: 'bud-2' }), { occurredAt: '2027-03-02T11:00:00.000Z' });
  const bothTotals = async (h: ReturnType<typeof budgetsHarness>) => ({
    'bud-1': (await h.ledger('bud-1')).totals,
    'bud-2': (await h.ledger('bud-2')).totals,
  });

  it('is no longer counted anywhere when the void names the budget it was first booked to', async () => {
    const h = await exp1InBud1();
    await amendOntoBud2(h);
    // The label cancels its expense (by its id) later than any other change of it.
    await voidExp1(h);

    expect(await bothTotals(h)).toEqual({ 'bud-1': {}, 'bud-2': {} });
  });

  it('is no longer counted anywhere when that void arrives before the amendment that moved it', async () => {
    const h = await exp1InBud1();
    await voidExp1(h);
    await amendOntoBud2(h);

    expect(await bothTotals(h)).toEqual({ 'bud-1': {}, 'bud-2': {} });
  });
});

describe("an artist's recoupable spend", () => {
  it('lists the recoupable share of an expense that has no rate yet, in its own currency, instead of leaving it out', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(
      anExpense({
        amount: { minor: 10_000, currency: 'GBP' },
        recoupable: { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 50 },
      }),
    );

    const answer = await call(h, 'GET', '/labels/{labelId}/artists/{artistId}/recoupable', {
      pathParameters: { labelId: 'lbl-1', artistId: 'art-1' },
    });

    // 50 % of 100.00 GBP is recoupable from the artist; no rate converts it to EUR yet.
    const body = JSON.parse(answer.body ?? '{}');
    expect(JSON.stringify(body)).toContain('"exp-1"');
    expect(JSON.stringify(body)).toContain('GBP');
  });
});

describe("a budget's ledger with an expense in another currency", () => {
  it('states the rate, its date and the amount in the budget currency the expense was counted at', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.store.putRates('2027-03-02', { 'GBP/EUR': '1.1712' }, '2027-03-02T00:00:00.000Z');
    await h.expense(anExpense({ amount: { minor: 10_000, currency: 'GBP' } }));
    // 100.00 GBP at 1.1712 EUR per GBP: counted as 117.12 EUR.
    expect((await h.ledger('bud-1')).totals).toEqual({ '["actual","radio"]': 11_712 });

    const path = '/labels/{labelId}/budgets/{budgetId}/ledger';
    const pathParameters = { labelId: 'lbl-1', budgetId: 'bud-1' };
    const json = JSON.parse((await call(h, 'GET', path, { pathParameters })).body ?? '{}');
    const csv = (await call(h, 'GET', path, { pathParameters, headers: { accept: 'text/csv' } })).body ?? '';

    const entry = JSON.stringify(json.entries.find((e: { expenseId: string }) => e.expenseId === 'exp-1'));
    expect(entry).toContain('1.1712');
    expect(entry).toContain('"ratePair":"GBP/EUR"');
    expect(entry).toContain('11712');
    expect(csv).toContain('1.1712,GBP/EUR');
    expect(csv).toContain('11712');
  });
});

describe("a label's own rate after the budget changed its currency", () => {
  const usdBudget = () =>
    aBudget({
      currency: 'USD',
      lines: aBudget().lines.map((line) => ({ ...line, planned: { ...line.planned, currency: 'USD' } })),
    });
  const ledgerEntry = async (h: ReturnType<typeof budgetsHarness>, expenseId: string) =>
    JSON.parse(
      (
        await call(h, 'GET', '/labels/{labelId}/budgets/{budgetId}/ledger', {
          pathParameters: { labelId: 'lbl-1', budgetId: 'bud-1' },
        })
      ).body ?? '{}',
    ).entries.find((e: { expenseId: string; counted: boolean }) => e.expenseId === expenseId && e.counted);

  it('is not applied as if it converted into the new currency: the rate table converts it, else it stays unconverted', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget(), '2027-03-01T09:00:00.000Z');
    // The label converted 100.00 and 200.00 GBP into EUR, the budget's currency then.
    await h.expense(
      anExpense({
        amount: { minor: 10_000, currency: 'GBP' },
        rate: { value: '1.17', date: '2027-03-02', source: 'label' },
      }),
      { occurredAt: '2027-03-02T10:00:00.000Z' },
    );
    await h.expense(
      anExpense({
        expenseId: 'exp-2',
        date: '2027-03-03',
        amount: { minor: 20_000, currency: 'GBP' },
        rate: { value: '1.18', date: '2027-03-03', source: 'label' },
      }),
      { occurredAt: '2027-03-03T10:00:00.000Z' },
    );
    expect((await h.ledger('bud-1')).totals).toEqual({ '["actual","radio"]': 11_700 + 23_600 });
    await h.store.putRates('2027-03-02', { 'GBP/USD': '1.25' }, '2027-03-02T00:00:00.000Z');

    await h.budget(usdBudget(), '2027-03-04T09:00:00.000Z');
    await h.reconcile('2027-03-05');

    // 100.00 GBP at the table's 1.25 USD per GBP; no GBP/USD rate for 3 March: 200.00 GBP apart.
    expect((await h.ledger('bud-1')).totals).toEqual({
      '["actual","radio"]': 12_500,
      '["unconverted","GBP","actual"]': 20_000,
    });
    expect(await ledgerEntry(h, 'exp-1')).toMatchObject({
      rate: '1.25',
      ratePair: 'GBP/USD',
      amountInBudgetCurrency: 12_500,
    });
    expect(h.events('Budget Drift Repaired')).toEqual([]);

    // Back in EUR, the label's rates into EUR count again.
    await h.budget(aBudget(), '2027-03-06T09:00:00.000Z');
    expect((await h.ledger('bud-1')).totals).toEqual({ '["actual","radio"]': 11_700 + 23_600 });
  });

  it('names both currencies when the label sends them, and refuses a from that is not the amount’s currency', () => {
    const body = (rate: Record<string, string>) =>
      aParsedBody(
        'expense.recorded',
        '2027-03-02T10:00:00Z',
        anExpense({ amount: { minor: 10_000, currency: 'GBP' }, rate: rate as never }),
      );
    const rate = { value: '1.17', date: '2027-03-02', source: 'label' };
    const named = body({ ...rate, from: 'GBP', to: 'EUR' });
    const wrongFrom = body({ ...rate, from: 'USD', to: 'EUR' });
    const sameTo = body({ ...rate, to: 'GBP' });

    expect(named.ok && named.body.data).toMatchObject({ rate: { from: 'GBP', to: 'EUR' } });
    expect(wrongFrom.ok ? [] : wrongFrom.error.issues.map((i) => i.path)).toEqual(['data.rate.from']);
    expect(sameTo.ok ? [] : sameTo.error.issues.map((i) => i.path)).toEqual(['data.rate.to']);
  });

  it('reads a rate stored without its target as one into the currency of the terms in force when it was sent, and as unusable once newer terms are in force', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget(), '2027-03-01T09:00:00.000Z');
    // An expense stored before rates named their target: its version says nothing of EUR.
    const data = anExpense({
      amount: { minor: 10_000, currency: 'GBP' },
      rate: { value: '1.17', date: '2027-03-02', source: 'label' },
    });
    const version = {
      expenseId: 'exp-1',
      at: '2027-03-02T10:00:00.000Z#evt-old',
      change: 'recorded' as const,
      data,
      receivedAt: '2027-03-02T10:00:01.000Z',
    };
    // Stored uncounted: the reconciliation counts it from its version.
    await h.store.writeLedger('lbl-1', 'bud-1', {
      versions: [version],
      states: [withVersion(emptyState('exp-1', version.receivedAt), version)],
      delta: {},
    });

    await h.reconcile('2027-03-03');
    const underEur = (await h.ledger('bud-1')).totals;
    // Terms sent after the expense (here a new currency; a new plan alike): which currency the label
    // converted into is no longer known, so the stored rate is not used.
    await h.budget(usdBudget(), '2027-03-04T09:00:00.000Z');

    expect(underEur).toEqual({ '["actual","radio"]': 11_700 });
    expect((await h.ledger('bud-1')).totals).toEqual({ '["unconverted","GBP","actual"]': 10_000 });
  });
});

describe('an invoice with VAT that no rate converts yet', () => {
  const gbpInvoice = () =>
    anExpense({
      amount: { minor: 10_000, currency: 'GBP' },
      vat: { minor: 2_000, currency: 'GBP' },
    });
  const budgetView = async (h: ReturnType<typeof budgetsHarness>) =>
    JSON.parse(
      (
        await call(h, 'GET', '/labels/{labelId}/budgets/{budgetId}', {
          pathParameters: { labelId: 'lbl-1', budgetId: 'bud-1' },
        })
      ).body ?? '{}',
    );

  it('keeps its VAT apart in its own currency, beside its net, in the totals and the list of expenses that need a rate', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(gbpInvoice());

    const view = await budgetView(h);

    // Converted VAT is a total apart from the net; unconverted VAT likewise, in the expense's currency.
    expect(view.totals.unconverted).toEqual({ GBP: { actual: 10_000, vat: 2_000 } });
    expect(view.totals.vat).toBe(0);
    expect(view.unconverted).toEqual([
      expect.objectContaining({
        expenseId: 'exp-1',
        amount: { minor: 10_000, currency: 'GBP' },
        vat: { minor: 2_000, currency: 'GBP' },
      }),
    ]);
    expect(budgetStatusText(view)).toContain('not converted yet: 100.00 GBP actual, VAT 20.00 GBP');
    const page = await consolePageOver(
      [{ detailType: 'Budget Set', labelId: 'lbl-1', data: { budgetId: 'bud-1' } }],
      () => view,
      { now: '2027-03-02T12:00:00Z', timeZone: 'UTC' },
    );
    expect(page).toContain('not converted yet: 100.00 GBP actual, VAT 20.00 GBP');

    // Once its date has a rate, its VAT joins the converted VAT: nothing is left apart.
    await h.store.putRates('2027-03-02', { 'GBP/EUR': '1.2' }, '2027-03-03T00:00:00.000Z');
    await h.reconcile('2027-03-03');
    const converted = await budgetView(h);
    expect({ vat: converted.totals.vat, unconverted: converted.totals.unconverted }).toEqual({
      vat: 2_400,
      unconverted: {},
    });
  });

  it("states its VAT in the owner's report beside its net", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(gbpInvoice());

    await h.reconcile('2027-03-03');
    await h.report('2027-03-03');
    const listed = h
      .received()
      .filter((m) => m.kind === 'budget-report')
      .flatMap((m) => (m.data as { text: { unconverted: string[] } }).text.unconverted);

    expect(listed).toEqual([
      'bud-1: exp-1 (Airplay Partners, 2027-03-02) 100.00 GBP net, VAT 20.00 GBP: no GBP/EUR rate for 2027-03-02',
    ]);
  });
});

describe("a budget's ledger between two dates, for an expense that left it", () => {
  const entries = async (h: ReturnType<typeof budgetsHarness>, budgetId: string, from: string, to: string) =>
    (
      JSON.parse(
        (
          await call(h, 'GET', '/labels/{labelId}/budgets/{budgetId}/ledger', {
            pathParameters: { labelId: 'lbl-1', budgetId },
            queryStringParameters: { from, to },
          })
        ).body ?? '{}',
      ).entries as { expenseId: string; change: string; date?: string }[]
    ).map(({ expenseId, change, date }) => ({ expenseId, change, date }));

  it("shows its moved and voided rows on the manager's day they happened, and only between dates that hold that day", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget(), '2027-02-01T00:00:00.000Z');
    await h.budget(aBudget({ budgetId: 'bud-2' }), '2027-02-01T00:00:00.000Z');
    await h.expense(anExpense(), { occurredAt: '2027-03-02T10:00:00.000Z' });
    // Moved at 05:00 UTC on 10 March: 21:00 on 9 March for a manager in Los Angeles.
    await h.amend(anExpense({ budgetId: 'bud-2' }), { occurredAt: '2027-03-10T05:00:00.000Z' });
    // Voided at 03:00 UTC on 12 March: 11 March in Los Angeles.
    await h.voidExpense(
      { expenseId: 'exp-1', budgetId: 'bud-2' },
      { occurredAt: '2027-03-12T03:00:00.000Z' },
    );

    expect(await entries(h, 'bud-1', '2027-03-01', '2027-03-31')).toEqual([
      { expenseId: 'exp-1', change: 'recorded', date: '2027-03-02' },
      { expenseId: 'exp-1', change: 'moved', date: '2027-03-09' },
      { expenseId: 'exp-1', change: 'voided', date: '2027-03-11' },
    ]);
    expect(await entries(h, 'bud-1', '2027-03-09', '2027-03-09')).toEqual([
      { expenseId: 'exp-1', change: 'moved', date: '2027-03-09' },
    ]);
    expect(await entries(h, 'bud-1', '2027-03-01', '2027-03-08')).toEqual([
      { expenseId: 'exp-1', change: 'recorded', date: '2027-03-02' },
    ]);
    expect(await entries(h, 'bud-2', '2027-03-10', '2027-03-11')).toEqual([
      { expenseId: 'exp-1', change: 'voided', date: '2027-03-11' },
    ]);
  });
});
