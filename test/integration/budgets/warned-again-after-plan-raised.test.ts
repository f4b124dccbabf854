import { describe, expect, it } from 'vitest';
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
import { busIdle, uniqueId } from '#test/support/cloud.ts';

/**
 * A threshold warns once per period and plan it was measured against (docs/design.md#budgets): a plan
 * raised within the period, and crossed again, is warned of again, end to end to the SES emulator; a
 * plan changed past thresholds already warned at is told once, at the highest reached.
 */
describe('a budget whose plan is raised after its owner was warned, on the local cloud', () => {
  /**
   * A watched budget (aWatchedBudget) over the month from today, in EUR, warning at `thresholds`: `plan`
   * its terms with the radio and ads lines planned at these amounts, `spend` an actual on each line.
   */
  const aPlannedBudget = async (thresholds: number[]) => {
    const watched = await aWatchedBudget();
    const { label, owner, day0, budgetId } = watched;
    return {
      ...watched,
      plan: (radio: number, ads: number) =>
        aMonthInEuros(day0, owner, {
          budgetId,
          thresholds,
          lines: [
            { lineId: 'radio', category: 'radio-plugging', planned: eur(radio) },
            { lineId: 'ads', category: 'advertising', planned: eur(ads) },
          ],
        }),
      spend: async (date: string, radio: number, ads: number) => {
        for (const [lineId, minor] of [
          ['radio', radio],
          ['ads', ads],
        ] as const)
          await sendLabelEvent(
            label,
            'expense.recorded',
            anExpenseBody(budgetId, uniqueId('exp'), date, { lineId, amount: eur(minor) }),
          );
      },
    };
  };

  it('warns its owner again, once, when the spend crosses the threshold against the raised plan', async () => {
    const { label, day0, budgetId, plan, spend, warnings, warnedTimes, reconciled } = await aPlannedBudget([
      80,
    ]);
    // 850.00 of 1,000.00, within each line's plan: the owner is warned at 80 %.
    await sendLabelEvent(label, 'budget.set', plan(60_000, 40_000));
    await spend(day0, 50_000, 35_000);
    await reconciled(plusDays(day0, 1));
    await warnedTimes(1, 'the first warning');

    // The label raises the plan to 2,000.00 for the same period; the spend reaches 1,700.00 (85 %).
    await sendLabelEvent(label, 'budget.set', plan(120_000, 80_000), 1);
    await spend(plusDays(day0, 1), 50_000, 35_000);
    await reconciled(plusDays(day0, 2));
    await warnedTimes(2, 'the warning against the raised plan');
    // The next day's reconciliation and report: the same crossing is not warned of again.
    await reconciled(plusDays(day0, 3));
    await advanceToManagerTime(plusDays(day0, 3), '07:45');
    await busIdle();

    const mails = await warnings();
    expect(mails.map((m) => m.subject)).toEqual([
      `Budget ${budgetId}: 80 % of the plan is spent`,
      `Budget ${budgetId}: 80 % of the plan is spent`,
    ]);
    expect(mails[0].body.text).toContain('Planned: 1,000.00 EUR');
    expect(mails[1].body.text).toContain(
      `On ${plusDays(day0, 2)} committed and actual spend reached 85 % of the plan.`,
    );
    expect(mails[1].body.text).toContain('Planned: 2,000.00 EUR');
    const { body } = await getJson<{ thresholdsCrossed: { threshold: number; date: string }[] }>(
      `/labels/${label.id}/budgets/${budgetId}`,
    );
    expect(body.thresholdsCrossed).toEqual([
      expect.objectContaining({ threshold: 80, date: plusDays(day0, 2) }),
    ]);
  });

  it('warns its owner once, at the highest threshold reached, when a cut leaves the spend past thresholds already warned at', async () => {
    const { label, day0, budgetId, plan, spend, warnings, warnedTimes, reconciled } = await aPlannedBudget([
      50, 80,
    ]);
    // 1,100.00 of 2,000.00 (55 %), then 1,700.00 (85 %): the owner is warned at 50 %, then at 80 %.
    await sendLabelEvent(label, 'budget.set', plan(120_000, 80_000));
    await spend(day0, 60_000, 50_000);
    await reconciled(plusDays(day0, 1));
    await warnedTimes(1, 'the warning at 50 %');
    await spend(plusDays(day0, 1), 50_000, 10_000);
    await reconciled(plusDays(day0, 2));
    await warnedTimes(2, 'the warning at 80 %');

    // The label cuts the plan to 1,900.00: 1,700.00 is 89 % of it.
    await sendLabelEvent(label, 'budget.set', plan(110_000, 80_000), 1);
    await reconciled(plusDays(day0, 3));
    await warnedTimes(3, 'the warning against the cut plan');
    // The next day's reconciliation and report: nothing more to warn of.
    await reconciled(plusDays(day0, 4));
    await advanceToManagerTime(plusDays(day0, 4), '07:45');
    await busIdle();

    const [fifty, eighty, ...afterCut] = await warnings();
    expect(fifty.body.text).toContain('Planned: 2,000.00 EUR');
    expect(eighty.body.text).toContain('Planned: 2,000.00 EUR');
    expect(afterCut.map((m) => m.subject)).toEqual([`Budget ${budgetId}: 80 % of the plan is spent`]);
    expect(afterCut[0].body.text).toContain(
      `On ${plusDays(day0, 3)} committed and actual spend reached 89.4 % of the plan.`,
    );
    expect(afterCut[0].body.text).toContain('Planned: 1,900.00 EUR');
  });
});
