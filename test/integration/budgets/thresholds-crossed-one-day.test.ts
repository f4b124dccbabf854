import { afterEach, describe, expect, it } from 'vitest';
import {
  advanceToManagerTime,
  aMonthInEuros,
  anExpenseBody,
  aWatchedBudget,
  eur,
  getJson,
  plusDays,
  sendLabelEvent,
} from '#test/support/budgets-cloud.ts';
import { armFault, busIdle, clearFaults, uniqueId } from '#test/support/cloud.ts';

/**
 * A day's reconciliation that finds the spend past several thresholds not warned at yet (a big invoice)
 * warns the owner once, at the highest, where the budget stands; the others are raised with their events
 * and listed crossed, and no later day mails them (docs/design.md#budgets).
 */

afterEach(clearFaults);

describe('a budget whose spend crosses several thresholds in one day, on the local cloud', () => {
  /**
   * A watched budget (aWatchedBudget) over the month from today, 1,000.00 EUR on its radio line, warning
   * at 50, 80 and 100 %: `spend` an actual on the radio line, `crossed` the thresholds its view lists
   * crossed, with their days.
   */
  const aBudgetAt50And80And100 = async () => {
    const watched = await aWatchedBudget();
    const { label, owner, day0, budgetId } = watched;
    await sendLabelEvent(
      label,
      'budget.set',
      aMonthInEuros(day0, owner, {
        budgetId,
        thresholds: [50, 80, 100],
        lines: [{ lineId: 'radio', category: 'radio-plugging', planned: eur(100_000) }],
      }),
    );
    return {
      ...watched,
      spend: (date: string, minor: number, secondsLater: number) =>
        sendLabelEvent(
          label,
          'expense.recorded',
          anExpenseBody(budgetId, uniqueId('exp'), date, { amount: eur(minor) }),
          secondsLater,
        ),
      crossed: async () =>
        (
          await getJson<{ thresholdsCrossed: { threshold: number; date: string }[] }>(
            `/labels/${label.id}/budgets/${budgetId}`,
          )
        ).body.thresholdsCrossed.map(({ threshold, date }) => ({ threshold, date })),
    };
  };

  it('warns its owner once, at the highest threshold crossed that day, lists every one crossed from the lowest, and warns of one crossed on a later day', async () => {
    const { day0, budgetId, spend, warnings, warnedTimes, crossed, reconciled } =
      await aBudgetAt50And80And100();
    // 400.00, then a big invoice of 550.00 the same day: 950.00 of 1,000.00 (95 %), past 50 and 80 %.
    await spend(day0, 40_000, 1);
    await spend(day0, 55_000, 2);
    await reconciled(plusDays(day0, 1));
    await warnedTimes(1, 'the warning of the first day');
    // The next day's reconciliation and report: nothing more to warn of.
    await reconciled(plusDays(day0, 2));
    await advanceToManagerTime(plusDays(day0, 2), '07:45');
    await busIdle();
    const firstDays = await warnings();
    const crossedFirst = await crossed();
    // 1,050.00 (105 %): 100 % crossed on a later day.
    await spend(plusDays(day0, 2), 10_000, 3);
    await reconciled(plusDays(day0, 3));
    await warnedTimes(2, 'the warning at 100 %');
    await busIdle();

    expect(firstDays.map((m) => m.subject)).toEqual([`Budget ${budgetId}: 80 % of the plan is spent`]);
    expect(firstDays[0].body.text).toContain(
      `On ${plusDays(day0, 1)} committed and actual spend reached 95 % of the plan.`,
    );
    expect(crossedFirst).toEqual([
      { threshold: 50, date: plusDays(day0, 1) },
      { threshold: 80, date: plusDays(day0, 1) },
    ]);
    expect((await warnings()).map((m) => m.subject)).toEqual([
      `Budget ${budgetId}: 80 % of the plan is spent`,
      `Budget ${budgetId}: 100 % of the plan is spent`,
    ]);
    expect(await crossed()).toEqual([
      { threshold: 50, date: plusDays(day0, 1) },
      { threshold: 80, date: plusDays(day0, 1) },
      { threshold: 100, date: plusDays(day0, 3) },
    ]);
  });

  it('warns its owner once, at the highest threshold, when the day is reconciled by two runs at once', async () => {
    const { day0, budgetId, spend, warnings, warnedTimes, crossed, reconciled } =
      await aBudgetAt50And80And100();
    await spend(day0, 105_000, 1);
    await busIdle();
    // Every Budget Reconciliation Due (and the rest budgets takes) handled by two instances at the same instant.
    await armFault('invoke.duplicate:budgets', 'inf');

    await reconciled(plusDays(day0, 1));
    await warnedTimes(1, 'the warning of the first day');
    await reconciled(plusDays(day0, 2));
    await busIdle();

    expect((await warnings()).map((m) => m.subject)).toEqual([
      `Budget ${budgetId}: 100 % of the plan is spent`,
    ]);
    expect((await crossed()).map((c) => c.threshold)).toEqual([50, 80, 100]);
  });
});
