import { describe, expect, it } from 'vitest';
import { callApi } from '#test/support/api.ts';
import { officeBudgetsApi } from '#test/support/budgets.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/**
 * The day the money runs out is stated only within the budget's period (docs/design.md#budgets): a day
 * after its end is no run-out, the money lasts the period, whatever the rate says after it.
 */
const eur = (minor: number) => ({ minor, currency: 'EUR' });

/** GET /labels/{labelId}/budgets/{budgetId}, as the management API answers it, on the harness's store. */
const view = async (h: ReturnType<typeof budgetsHarness>) => {
  const answer = await callApi(officeBudgetsApi({ budgets: h.store, now: '2027-04-10T12:00:00Z' }), {
    method: 'GET',
    route: '/labels/{labelId}/budgets/{budgetId}',
    pathParameters: { labelId: h.labelId, budgetId: 'bud-1' },
  });
  return JSON.parse(answer.body ?? '{}');
};

type Row = { runsOutOn: string };
const reportRows = (h: ReturnType<typeof budgetsHarness>) =>
  h
    .received()
    .filter((m) => m.kind === 'budget-report')
    .map((m) => m.data as { text: { rows: Row[] }; html: { rows: Row[] } });

describe('the day the money runs out, for a budget whose money lasts its period', () => {
  it('states no day after the period ends for a budget on track: the alert, the report and the view say the money lasts the period', async () => {
    const h = budgetsHarness({ now: '2027-03-10T07:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    // 550.00 on 1 March, 10.00 in the last 7 days: 440.00 left lasts 308 days at that rate, to 2028-01-12,
    // long after the period ends on 2027-03-30.
    await h.expense(anExpense({ date: '2027-03-01', amount: eur(55_000) }));
    await h.expense(anExpense({ expenseId: 'exp-2', date: '2027-03-09', amount: eur(1_000) }));

    await h.reconcile('2027-03-10');
    await h.report('2027-03-10');

    expect(h.events('Budget Reconciled').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({
        remaining: eur(44_000),
        // 560.00 and 20 more days at 10.00 a week.
        forecastAtEnd: eur(58_857),
        runsOutOn: null,
        status: 'on-track',
      }),
    ]);
    const alert = h.received().find((m) => m.kind === 'threshold-crossed')?.data as {
      text: { runsOutOn: string };
    };
    expect(alert.text.runsOutOn).toBe('not in the period');
    const [report] = reportRows(h);
    expect(report.html.rows[0].runsOutOn).toBe('not in the period');
    const seen = await view(h);
    expect(seen.runsOutOn).toBeNull();
    expect(seen.moneyLastsThePeriod).toBe(true);
    expect(seen.forecastAtEnd).toBe(58_857);
  });

  it("states no day after the period ends for a budget reconciled after its end, a late invoice in the week's spend", async () => {
    const h = budgetsHarness({ now: '2027-04-05T07:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    // The period ended on 30 March; a late invoice of 600.00 dated 1 April: 400.00 left, 600.00 a week.
    await h.expense(anExpense({ date: '2027-04-01', amount: eur(60_000) }));

    await h.reconcile('2027-04-05');
    await h.report('2027-04-05');

    expect(h.events('Budget Reconciled').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({ remaining: eur(40_000), forecastAtEnd: eur(60_000), runsOutOn: null }),
    ]);
    expect(h.events('Budget Forecast Over')).toEqual([]);
    const [report] = reportRows(h);
    expect(report.html.rows[0].runsOutOn).toBe('not in the period');
    expect((await view(h)).moneyLastsThePeriod).toBe(true);
  });

  it('states in the view no day after the end of the period in force, from a result kept under a later end', async () => {
    const h = budgetsHarness({ now: '2027-03-10T07:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    // 700.00 in the last 7 days: 300.00 left runs out in 3 days, on 2027-03-13, within March.
    await h.expense(anExpense({ date: '2027-03-09', amount: eur(70_000) }));
    await h.reconcile('2027-03-10');
    const kept = (await view(h)).runsOutOn;

    // The campaign is cut short: the same period, ending on 2027-03-12.
    await h.budget(
      aBudget({ period: { start: '2027-03-01', end: '2027-03-12' } }),
      '2027-03-10T12:00:00.000Z',
    );
    const seen = await view(h);

    expect(kept).toBe('2027-03-13');
    expect([seen.period.end, seen.lastReconciled.date]).toEqual(['2027-03-12', '2027-03-10']);
    expect(seen.runsOutOn).toBeNull();
    expect(seen.moneyLastsThePeriod).toBe(true);
  });

  it('states no day after the period ends for a finished budget over its plan: the plan is spent', async () => {
    const h = budgetsHarness({ now: '2027-04-05T07:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    await h.expense(anExpense({ date: '2027-03-28', amount: eur(120_000) }));

    await h.reconcile('2027-04-05');
    await h.report('2027-04-05');

    expect(h.events('Budget Reconciled').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({ remaining: eur(-20_000), runsOutOn: null, status: 'over' }),
    ]);
    const [report] = reportRows(h);
    expect(report.html.rows[0].runsOutOn).toBe('already spent');
    expect((await view(h)).moneyLastsThePeriod).toBe(false);
  });
});
