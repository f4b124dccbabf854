import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { counter, figuresOf, settlementLine } from '#shared/budgets/ledger.ts';
import { settlementEntryId } from '#shared/db/budgets.ts';
import { BudgetSet, ExpenseRecorded, ExpenseVoided, TourShowSettled } from '#shared/events/index.ts';
import { budgetTemplates } from '#shared/mail/budget-templates.ts';
import { callApi } from '#test/support/api.ts';
import { officeBudgetsApi } from '#test/support/budgets.ts';
import { anExpense, aTourBudget, budgetsHarness } from '#test/support/budgets-harness.ts';

const aSettlement = (overrides: Partial<typeof TourShowSettled.sample> = {}) => ({
  ...TourShowSettled.sample,
  tourId: 'tour-eu',
  showId: 'show-berlin',
  settledAt: '2027-05-15T01:30:00+02:00',
  gross: { minor: 90_000, currency: 'EUR' },
  deductions: [{ kind: 'venue' as const, amount: { minor: 40_000, currency: 'EUR' } }],
  artistNet: { minor: 50_000, currency: 'EUR' },
  ...overrides,
});
const inGbp = (net: number) =>
  aSettlement({
    showId: 'show-london',
    gross: { minor: 80_000, currency: 'GBP' },
    deductions: [],
    artistNet: { minor: net, currency: 'GBP' },
  });
const berlin = settlementEntryId('tour-eu', 'show-berlin');
/** tour-uk's Manchester show: 300.00 EUR to the artist. */
const manchester = aSettlement({
  tourId: 'tour-uk',
  showId: 'show-manchester',
  settledAt: '2027-05-18T23:00:00+01:00',
  artistNet: { minor: 30_000, currency: 'EUR' },
});
/** bud-tour's ledger as the manager reads it: each row's show, change, whether it counts and what it adds. */
const ledgerRows = async (h: ReturnType<typeof budgetsHarness>) => {
  const answer = await callApi(officeBudgetsApi({ budgets: h.store, now: '2027-05-20T12:00:00Z' }), {
    method: 'GET',
    route: '/labels/{labelId}/budgets/{budgetId}/ledger',
    pathParameters: { labelId: 'lbl-1', budgetId: 'bud-tour' },
  });
  return (JSON.parse(answer.body ?? '{}').entries as Record<string, unknown>[]).map(
    ({ vendor, change, counted, amountInBudgetCurrency }) => ({
      vendor,
      change,
      counted,
      amountInBudgetCurrency,
    }),
  );
};
/** bud-tour set for tour-eu on 1 April, Berlin settled, then set for tour-uk on 2 April and Manchester settled. */
const setForTourUk = async () => {
  const h = budgetsHarness({ now: '2027-05-20T07:00:00.000Z' });
  await h.deliver(BudgetSet, aTourBudget(), { occurredAt: '2027-04-01T00:00:00.000Z', eventId: 'terms-eu' });
  await h.settle(aSettlement(), { occurredAt: '2027-05-15T08:00:00.000Z', eventId: 'set-berlin' });
  const tourUk = aTourBudget({ scope: { kind: 'tour', id: 'tour-uk' } });
  await h.deliver(BudgetSet, tourUk, { occurredAt: '2027-04-02T00:00:00.000Z', eventId: 'terms-uk' });
  await h.settle(manchester, { occurredAt: '2027-05-19T08:00:00.000Z', eventId: 'set-manchester' });
  return { h, tourUk };
};
/** The tour's night liner, booked on its travel line on `date`. */
const aTravelExpense = (date: string, minor: number) =>
  anExpense({
    budgetId: 'bud-tour',
    lineId: 'travel',
    vendor: 'Nightliner GmbH',
    date,
    amount: { minor, currency: 'EUR' },
  });

describe("a tour's show settlements", () => {
  it('become an income line of the tour’s budget: shown apart, adding to what remains, never spend', async () => {
    const h = budgetsHarness();
    await h.budget(aTourBudget());
    await h.expense(aTravelExpense('2027-05-10', 30_000));

    await h.settle(aSettlement());
    await h.reconcile('2027-05-16');

    const ledger = await h.ledger('bud-tour');
    const figures = figuresOf(ledger.budget!, ledger.totals);
    expect(ledger.totals).toEqual({
      [counter.actual('travel')]: 30_000,
      [counter.income(settlementLine.lineId)]: 50_000,
    });
    expect(figures).toMatchObject({ used: 30_000, income: 50_000, remaining: 100_000 + 50_000 - 30_000 });
    expect(ledger.states.find((s) => s.expenseId === berlin)?.data).toMatchObject({
      kind: 'income',
      lineId: 'show-settlement',
      date: '2027-05-15',
      amount: { minor: 50_000, currency: 'EUR' },
      settlement: { showId: 'show-berlin', gross: { minor: 90_000, currency: 'EUR' } },
    });
    expect(ledger.budget?.lastResult).toMatchObject({ actual: 30_000, income: 50_000, remaining: 120_000 });
    expect(h.events('Budget Drift Repaired')).toEqual([]);
  });

  it("are stated in the owner's report beside what remains, which counts them", async () => {
    const h = budgetsHarness({ now: '2027-05-16T07:30:00.000Z' });
    await h.budget(aTourBudget());
    await h.expense(aTravelExpense('2027-05-10', 30_000));
    await h.settle(aSettlement());

    await h.reconcile('2027-05-16');
    await h.report('2027-05-16');

    // 300.00 EUR spent of 1,000.00 EUR planned and 500.00 EUR from the Berlin show: 1,200.00 EUR remain.
    const [report] = h.received().filter((m) => m.kind === 'budget-report');
    const [template] = budgetTemplates.filter((t) => t.name === report.template);
    const render = (body: string) => Handlebars.compile(body, { noEscape: true })(report.data);
    expect(render(template.text)).toContain(
      'bud-tour (tour tour-eu): planned 1,000.00 EUR, committed 0.00 EUR, actual 300.00 EUR, income 500.00 EUR, remaining 1,200.00 EUR,',
    );
    expect(render(template.html)).toContain('<th>Actual</th><th>Income</th><th>Remaining</th>');
    expect(render(template.html)).toContain(
      '<td align="right">300.00 EUR</td><td align="right">500.00 EUR</td><td align="right">1,200.00 EUR</td>',
    );
  });

  it('are named in the forecast alert beside the plan, as what is left counts them', async () => {
    const h = budgetsHarness({ now: '2027-05-16T07:00:00.000Z' });
    await h.budget(aTourBudget());
    await h.settle(aSettlement());
    // 1,000.00 EUR planned and 500.00 EUR from Berlin; 1,300.00 EUR spent this week runs it out on the 17th.
    await h.expense(aTravelExpense('2027-05-14', 130_000));

    await h.reconcile('2027-05-16');

    const forecasts = h.received().filter((m) => m.kind === 'forecast-over');
    expect(forecasts.map((m) => (m.data as { text: { detail: string } }).text.detail)).toEqual([
      expect.stringContaining('against 1,000.00 EUR planned and 500.00 EUR income'),
    ]);
  });

  it('count once however often the settlement is redelivered, and by the label’s timestamp when a show is settled again', async () => {
    const h = budgetsHarness();
    await h.budget(aTourBudget());
    const first = { occurredAt: '2027-05-15T08:00:00.000Z', eventId: 'set-1' };

    await h.settle(aSettlement(), first);
    await h.settle(aSettlement(), first);
    const once = (await h.ledger('bud-tour')).totals;
    await h.settle(aSettlement({ artistNet: { minor: 55_000, currency: 'EUR' } }), {
      occurredAt: '2027-05-16T08:00:00.000Z',
      eventId: 'set-3',
    });
    await h.settle(aSettlement({ artistNet: { minor: 1, currency: 'EUR' } }), {
      occurredAt: '2027-05-15T09:00:00.000Z',
      eventId: 'set-2',
    });

    expect(once).toEqual({ [counter.income('show-settlement')]: 50_000 });
    expect((await h.ledger('bud-tour')).totals).toEqual({ [counter.income('show-settlement')]: 55_000 });
    expect((await h.ledger('bud-tour')).versions.map((v) => v.change)).toEqual([
      'settled',
      'settled',
      'settled',
    ]);
  });

  it('in another currency are converted at the rate of the day they were settled, or kept unconverted until there is one', async () => {
    const h = budgetsHarness();
    await h.budget(aTourBudget());
    await h.store.putRates('2027-05-15', { 'GBP/EUR': '1.2' }, '2027-05-15T00:00:00.000Z');

    await h.settle(inGbp(10_001));
    await h.settle({ ...inGbp(20_000), showId: 'show-leeds', settledAt: '2027-05-20T23:30:00Z' });

    expect((await h.ledger('bud-tour')).totals).toEqual({
      // 100.01 GBP at 1.2 = 120.012 EUR, half-even on the cent.
      [counter.income('show-settlement')]: 12_001,
      [counter.unconverted('GBP', 'income')]: 20_000,
    });
  });

  it('reach a tour budget set after the shows were settled, and only the budgets of that tour', async () => {
    const h = budgetsHarness();
    await h.budget(aTourBudget({ budgetId: 'bud-other', scope: { kind: 'tour', id: 'tour-us' } }));
    await h.budget(aTourBudget({ budgetId: 'bud-release', scope: { kind: 'release', id: 'tour-eu' } }));

    await h.settle(aSettlement());
    await h.budget(aTourBudget());
    await h.budget(aTourBudget(), '2027-05-20T00:00:00.000Z');

    expect((await h.ledger('bud-tour')).totals).toEqual({ [counter.income('show-settlement')]: 50_000 });
    expect((await h.ledger('bud-tour')).versions).toHaveLength(1);
    expect((await h.ledger('bud-other')).totals).toEqual({});
    expect((await h.ledger('bud-release')).totals).toEqual({});
  });

  it('of another tour reach no budget through its older terms delivered late, which are ignored', async () => {
    const h = budgetsHarness();
    // bud-tour set for tour-eu on 1 April, then for tour-uk on 2 April; the bus delivers the second first.
    await h.budget(aTourBudget({ scope: { kind: 'tour', id: 'tour-uk' } }), '2027-04-02T00:00:00.000Z');
    await h.settle(aSettlement());

    await h.budget(aTourBudget(), '2027-04-01T00:00:00.000Z');

    const ledger = await h.ledger('bud-tour');
    expect(ledger.budget?.scope).toEqual({ kind: 'tour', id: 'tour-uk' });
    expect([ledger.totals, ledger.versions]).toEqual([{}, []]);
  });

  it('of the tour a budget was set for before count no more once it is set for another tour', async () => {
    const { h } = await setForTourUk();

    await h.reconcile('2027-05-20');

    // Manchester's 300.00 EUR is the income; Berlin's 500.00 EUR, of tour-eu, is in the ledger and counts nowhere.
    const ledger = await h.ledger('bud-tour');
    expect(ledger.totals).toEqual({ [counter.income('show-settlement')]: 30_000 });
    expect(figuresOf(ledger.budget!, ledger.totals)).toMatchObject({ income: 30_000, remaining: 130_000 });
    expect(ledger.budget?.lastResult).toMatchObject({ income: 30_000, remaining: 130_000 });
    expect(await ledgerRows(h)).toEqual([
      { vendor: 'show show-berlin', change: 'settled', counted: false },
      { vendor: 'show show-manchester', change: 'settled', counted: true, amountInBudgetCurrency: 30_000 },
    ]);
    expect(h.events('Budget Drift Repaired')).toEqual([]);
  });

  it('of the tour a budget was set for before say on its ledger why they count no more', async () => {
    const { h } = await setForTourUk();

    const answer = await callApi(officeBudgetsApi({ budgets: h.store, now: '2027-05-20T12:00:00Z' }), {
      method: 'GET',
      route: '/labels/{labelId}/budgets/{budgetId}/ledger',
      pathParameters: { labelId: 'lbl-1', budgetId: 'bud-tour' },
    });

    expect(
      (JSON.parse(answer.body ?? '{}').entries as Record<string, unknown>[]).map(
        ({ vendor, counted, description }) => ({ vendor, counted, description }),
      ),
    ).toEqual([
      {
        vendor: 'show show-berlin',
        counted: false,
        description:
          'Settlement of show show-berlin: gross 900.00 EUR, deductions 400.00 EUR, artist net 500.00 EUR; not counted: a settlement of tour tour-eu, and the budget is set for tour tour-uk',
      },
      {
        vendor: 'show show-manchester',
        counted: true,
        description:
          'Settlement of show show-manchester: gross 900.00 EUR, deductions 400.00 EUR, artist net 300.00 EUR',
      },
    ]);
  });

  it('count again when the budget is set back for their tour, whatever the order its terms are delivered in', async () => {
    const { h, tourUk } = await setForTourUk();

    await h.deliver(BudgetSet, aTourBudget(), {
      occurredAt: '2027-04-03T00:00:00.000Z',
      eventId: 'terms-eu-2',
    });
    // tour-uk's terms redelivered, and delivered again late under another event id: older, both ignored.
    await h.deliver(BudgetSet, tourUk, { occurredAt: '2027-04-02T00:00:00.000Z', eventId: 'terms-uk' });
    await h.deliver(BudgetSet, tourUk, { occurredAt: '2027-04-02T12:00:00.000Z', eventId: 'terms-uk-2' });
    await h.reconcile('2027-05-20');

    const ledger = await h.ledger('bud-tour');
    expect(ledger.budget?.scope).toEqual({ kind: 'tour', id: 'tour-eu' });
    expect(ledger.totals).toEqual({ [counter.income('show-settlement')]: 50_000 });
    expect(ledger.budget?.lastResult).toMatchObject({ income: 50_000, remaining: 150_000 });
    expect(await ledgerRows(h)).toEqual([
      { vendor: 'show show-berlin', change: 'settled', counted: true, amountInBudgetCurrency: 50_000 },
      { vendor: 'show show-manchester', change: 'settled', counted: false },
    ]);
    expect(h.events('Budget Drift Repaired')).toEqual([]);
  });

  it('missed by a tour budget set while they were being filed are taken at its next reconciliation', async () => {
    const h = budgetsHarness();
    await h.budget(aTourBudget());
    await h.store.saveSettlement('lbl-1', {
      at: '2027-05-15T08:00:00.000Z#set-1',
      receivedAt: '2027-05-15T08:00:01.000Z',
      settlement: TourShowSettled.data.parse(aSettlement()),
    });

    await h.reconcile('2027-05-16');

    expect((await h.ledger('bud-tour')).totals).toEqual({ [counter.income('show-settlement')]: 50_000 });
    expect((await h.store.getBudget('lbl-1', 'bud-tour'))?.lastResult?.income).toBe(50_000);
  });

  it('keep their ledger ids apart from the label’s expense ids: intake refuses an expense id that could meet one', () => {
    const expense = ExpenseRecorded.data.safeParse({ ...ExpenseRecorded.sample, expenseId: berlin });
    const voided = ExpenseVoided.data.safeParse({ ...ExpenseVoided.sample, expenseId: berlin });

    expect(expense.success ? [] : expense.error.issues.map((i) => i.path.join('.'))).toEqual(['expenseId']);
    expect(voided.success ? [] : voided.error.issues.map((i) => i.path.join('.'))).toEqual(['expenseId']);
  });
});
