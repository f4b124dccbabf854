import { describe, expect, it } from 'vitest';
import { OutboxSweepDue } from '#shared/events/index.ts';
import { callApi } from '#test/support/api.ts';
import { officeBudgetsApi } from '#test/support/budgets.ts';
import { aBudget, alertClaimedOn9March, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/**
 * An alert is raised once per budget, threshold (or line), period and the plan it was measured against
 * (docs/design.md#budgets): a plan raised within the period is a plan the owner has not been warned of.
 */
const eur = (minor: number) => ({ minor, currency: 'EUR' });

/** bud-1 over March with the radio and ads lines planned at these amounts. */
const planned = (radio: number, ads: number) =>
  aBudget({
    lines: [
      { lineId: 'radio', category: 'radio-plugging', planned: eur(radio) },
      { lineId: 'ads', category: 'advertising', planned: eur(ads) },
    ],
  });

/** The warnings of this kind mailed (`threshold-crossed`, `line-over-plan`), from the `from`th mail on. */
const headlines = (h: ReturnType<typeof budgetsHarness>, kind: string, from = 0) =>
  h
    .received()
    .slice(from)
    .filter((m) => m.kind === kind)
    .map((m) => (m.data as { text: { headline: string } }).text.headline);

/** GET /labels/{labelId}/budgets/{budgetId}, as the management API answers it, on the harness's store. */
const view = async (h: ReturnType<typeof budgetsHarness>) => {
  const answer = await callApi(officeBudgetsApi({ budgets: h.store, now: '2027-03-20T12:00:00Z' }), {
    method: 'GET',
    route: '/labels/{labelId}/budgets/{budgetId}',
    pathParameters: { labelId: h.labelId, budgetId: 'bud-1' },
  });
  return JSON.parse(answer.body ?? '{}');
};

describe('a budget whose plan is raised after a threshold was crossed', () => {
  it('warns again once the spend crosses the threshold against the new plan, once, and lists as crossed what holds for the plan in force', async () => {
    const h = budgetsHarness({ now: '2027-03-03T07:00:00.000Z' });
    await h.budget({ ...planned(60_000, 40_000), thresholds: [80] }, '2027-03-01T00:00:00.000Z');
    // 850.00 of 1,000.00: the owner is warned at 80 %.
    await h.expense(anExpense({ date: '2027-03-02', amount: eur(85_000) }));
    await h.reconcile('2027-03-03');
    // The label raises the plan to 2,000.00 (the same period): 850.00 is 42.5 % of it.
    await h.budget({ ...planned(120_000, 80_000), thresholds: [80] }, '2027-03-04T10:00:00.000Z');
    h.setNow('2027-03-05T07:00:00.000Z');
    await h.reconcile('2027-03-05');
    const raisedNotCrossed = await view(h);
    // 1,700.00 of 2,000.00 (85 %): the money is running out again.
    await h.expense(anExpense({ expenseId: 'exp-2', date: '2027-03-09', amount: eur(85_000) }));
    h.setNow('2027-03-10T07:00:00.000Z');
    const before = h.received().length;
    await h.reconcile('2027-03-10');
    await h.reconcile('2027-03-10');

    expect(headlines(h, 'threshold-crossed')).toEqual([
      '80 % of the plan is spent',
      '80 % of the plan is spent',
    ]);
    expect(headlines(h, 'threshold-crossed', before)).toEqual(['80 % of the plan is spent']);
    expect(
      h.events('Budget Threshold Crossed').map((e) => {
        const { threshold, planned: plan, used } = e.detail.data as Record<string, unknown>;
        return { threshold, planned: plan, used };
      }),
    ).toEqual([
      { threshold: 80, planned: eur(100_000), used: eur(85_000) },
      { threshold: 80, planned: eur(200_000), used: eur(170_000) },
    ]);
    expect(raisedNotCrossed.thresholdsCrossed).toEqual([]);
    expect((await view(h)).thresholdsCrossed).toEqual([
      { threshold: 80, on: '2027-03-10T07:00:00.000Z', date: '2027-03-10' },
    ]);
  });

  it('warns no second time when the plan is lowered back to one it already warned at', async () => {
    const h = budgetsHarness({ now: '2027-03-03T07:00:00.000Z' });
    await h.budget({ ...planned(60_000, 40_000), thresholds: [50, 80] }, '2027-03-01T00:00:00.000Z');
    await h.expense(anExpense({ date: '2027-03-02', amount: eur(85_000) }));
    await h.reconcile('2027-03-03');
    await h.budget({ ...planned(120_000, 80_000), thresholds: [50, 80] }, '2027-03-04T10:00:00.000Z');
    await h.expense(anExpense({ expenseId: 'exp-2', date: '2027-03-04', amount: eur(5_000) }));
    h.setNow('2027-03-05T07:00:00.000Z');
    await h.reconcile('2027-03-05');
    const afterRaise = h.received().length;
    // Back to 1,000.00, where 50 and 80 % were crossed and warned of on the 3rd: 900.00 is 90 % of it.
    await h.budget({ ...planned(60_000, 40_000), thresholds: [50, 80] }, '2027-03-06T10:00:00.000Z');
    h.setNow('2027-03-07T07:00:00.000Z');
    await h.reconcile('2027-03-07');

    // The 3rd's one warning, at 80 %, stated 50 % with it.
    expect(headlines(h, 'threshold-crossed')).toEqual(['80 % of the plan is spent']);
    expect(headlines(h, 'threshold-crossed', afterRaise)).toEqual([]);
    expect(h.events('Budget Threshold Crossed')).toHaveLength(2);
    expect((await view(h)).thresholdsCrossed).toEqual([
      { threshold: 50, on: '2027-03-03T07:00:00.000Z', date: '2027-03-03' },
      { threshold: 80, on: '2027-03-03T07:00:00.000Z', date: '2027-03-03' },
    ]);
  });

  it("warns again of a line over its plan once the line's plan is raised and the spend passes it again", async () => {
    const h = budgetsHarness({ now: '2027-03-03T07:00:00.000Z' });
    await h.budget({ ...planned(60_000, 40_000), thresholds: [100] }, '2027-03-01T00:00:00.000Z');
    // 700.00 on the radio line, planned at 600.00.
    await h.expense(anExpense({ date: '2027-03-02', amount: eur(70_000) }));
    await h.reconcile('2027-03-03');
    // The radio line raised to 1,000.00 (the ads line lowered): 700.00 is within it.
    await h.budget({ ...planned(100_000, 40_000), thresholds: [100] }, '2027-03-04T10:00:00.000Z');
    h.setNow('2027-03-05T07:00:00.000Z');
    await h.reconcile('2027-03-05');
    // 1,100.00 on the radio line: over its new plan.
    await h.expense(anExpense({ expenseId: 'exp-2', date: '2027-03-06', amount: eur(40_000) }));
    h.setNow('2027-03-07T07:00:00.000Z');
    await h.reconcile('2027-03-07');
    await h.reconcile('2027-03-07');

    expect(headlines(h, 'line-over-plan')).toEqual([
      'Line radio is over its plan',
      'Line radio is over its plan',
    ]);
    expect(
      h.events('Budget Line Over Plan').map((e) => {
        const { planned: plan, spent } = e.detail.data as Record<string, unknown>;
        return { planned: plan, spent };
      }),
    ).toEqual([
      { planned: eur(60_000), spent: eur(70_000) },
      { planned: eur(100_000), spent: eur(110_000) },
    ]);
  });
});

describe('a budget whose plan changes after its owner was warned', () => {
  /** The `text.planned` of each threshold warning mailed, from the `from`th mail on. */
  const plannedStated = (h: ReturnType<typeof budgetsHarness>, from = 0) =>
    h
      .received()
      .slice(from)
      .filter((m) => m.kind === 'threshold-crossed')
      .map((m) => (m.data as { text: { planned: string } }).text.planned);

  it('warns once, at the highest threshold reached, when a cut leaves the spend past thresholds already warned at, and warns as before of one crossed later', async () => {
    const h = budgetsHarness({ now: '2027-03-02T07:00:00.000Z' });
    await h.budget({ ...planned(120_000, 80_000), thresholds: [50, 80, 90] }, '2027-03-01T00:00:00.000Z');
    // 1,100.00 of 2,000.00 (55 %), then 1,700.00 (85 %): warned at 50 %, then at 80 %.
    await h.expense(anExpense({ expenseId: 'exp-0', date: '2027-03-01', amount: eur(110_000) }));
    await h.reconcile('2027-03-02');
    await h.expense(anExpense({ date: '2027-03-02', amount: eur(60_000) }));
    h.setNow('2027-03-03T07:00:00.000Z');
    await h.reconcile('2027-03-03');
    const beforeCut = h.received().length;
    // Cut to 1,900.00: 1,700.00 is 89 % of it.
    await h.budget({ ...planned(110_000, 80_000), thresholds: [50, 80, 90] }, '2027-03-04T10:00:00.000Z');
    h.setNow('2027-03-05T07:00:00.000Z');
    await h.reconcile('2027-03-05');
    await h.reconcile('2027-03-05');
    const warnedOfCut = headlines(h, 'threshold-crossed', beforeCut);
    const afterCut = h.received().length;
    // 1,750.00 of 1,900.00 (92 %): 90 % crossed under the same plan.
    await h.expense(anExpense({ expenseId: 'exp-2', date: '2027-03-06', amount: eur(5_000) }));
    h.setNow('2027-03-07T07:00:00.000Z');
    await h.reconcile('2027-03-07');

    expect(headlines(h, 'threshold-crossed').slice(0, 2)).toEqual([
      '50 % of the plan is spent',
      '80 % of the plan is spent',
    ]);
    expect(warnedOfCut).toEqual(['80 % of the plan is spent']);
    expect(plannedStated(h, beforeCut)).toEqual(['1,900.00 EUR', '1,900.00 EUR']);
    expect(headlines(h, 'threshold-crossed', afterCut)).toEqual(['90 % of the plan is spent']);
    expect((await view(h)).thresholdsCrossed.map((c: { threshold: number }) => c.threshold)).toEqual([
      50, 80, 90,
    ]);
  });

  it('warns of nothing when the new plan puts the spend below every threshold already warned at, and of a threshold crossed later under it', async () => {
    const h = budgetsHarness({ now: '2027-03-03T07:00:00.000Z' });
    await h.budget({ ...planned(60_000, 40_000), thresholds: [80] }, '2027-03-01T00:00:00.000Z');
    // 850.00 of 1,000.00: warned at 80 %.
    await h.expense(anExpense({ date: '2027-03-02', amount: eur(85_000) }));
    await h.reconcile('2027-03-03');
    // Raised to 2,000.00, with a threshold at 40 %: 850.00 is 42.5 % of it, below the 80 % warned at.
    await h.budget({ ...planned(120_000, 80_000), thresholds: [40, 60, 80] }, '2027-03-04T10:00:00.000Z');
    h.setNow('2027-03-05T07:00:00.000Z');
    await h.reconcile('2027-03-05');
    const afterRaise = h.received().length;
    // 1,250.00 of 2,000.00 (62.5 %): 60 % crossed under the plan in force.
    await h.expense(anExpense({ expenseId: 'exp-2', date: '2027-03-06', amount: eur(40_000) }));
    h.setNow('2027-03-07T07:00:00.000Z');
    await h.reconcile('2027-03-07');

    expect(headlines(h, 'threshold-crossed')).toEqual([
      '80 % of the plan is spent',
      '60 % of the plan is spent',
    ]);
    expect(headlines(h, 'threshold-crossed', afterRaise)).toEqual(['60 % of the plan is spent']);
  });
});

describe('a warning whose claim went stale, sent again by the sweep', () => {
  /** bud-1's 80 % warning of 9 March, measured against 1,000.00: raised, its mail claimed, and no answer from SES. */
  const claimedAndStopped = (h: ReturnType<typeof budgetsHarness>) =>
    alertClaimedOn9March(h, 80, 85_000, 100_000);

  it('sends it again while the plan it was measured against stands, under the same identity', async () => {
    const h = budgetsHarness({ now: '2027-03-08T15:00:00.000Z' });
    await h.budget({ ...planned(60_000, 40_000), thresholds: [80] }, '2027-03-01T00:00:00.000Z');
    await h.expense(anExpense({ date: '2027-03-08', amount: eur(85_000) }));
    await claimedAndStopped(h);

    h.setNow('2027-03-09T09:00:00.000Z');
    await h.deliver(OutboxSweepDue, {});
    h.setNow('2027-03-10T07:00:00.000Z');
    await h.reconcile('2027-03-10');

    expect(headlines(h, 'threshold-crossed')).toEqual(['80 % of the plan is spent']);
    expect([...h.deliveries.items.values()].filter((d) => d.kind === 'threshold-crossed')).toHaveLength(1);
  });

  it('leaves it unsent once the plan was raised, and warns against the new plan when the spend crosses it', async () => {
    const h = budgetsHarness({ now: '2027-03-08T15:00:00.000Z' });
    await h.budget({ ...planned(60_000, 40_000), thresholds: [80] }, '2027-03-01T00:00:00.000Z');
    await h.expense(anExpense({ date: '2027-03-08', amount: eur(85_000) }));
    await claimedAndStopped(h);
    // Raised to 2,000.00 before the sweep: 850.00 is 42.5 % of it, and no warning of 80 % holds.
    await h.budget({ ...planned(120_000, 80_000), thresholds: [80] }, '2027-03-09T08:00:00.000Z');

    h.setNow('2027-03-09T09:00:00.000Z');
    await h.deliver(OutboxSweepDue, {});
    const afterSweep = headlines(h, 'threshold-crossed');
    await h.expense(anExpense({ expenseId: 'exp-2', date: '2027-03-09', amount: eur(85_000) }));
    h.setNow('2027-03-10T07:00:00.000Z');
    await h.reconcile('2027-03-10');

    expect(afterSweep).toEqual([]);
    expect(headlines(h, 'threshold-crossed')).toEqual(['80 % of the plan is spent']);
    expect(
      h
        .received()
        .filter((m) => m.kind === 'threshold-crossed')
        .map((m) => (m.data as { text: { planned: string } }).text.planned),
    ).toEqual(['2,000.00 EUR']);
  });
});
