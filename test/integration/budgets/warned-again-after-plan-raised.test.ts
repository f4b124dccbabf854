import { describe, expect, it } from 'vitest';
import { aLabel, mailTo } from '#test/support/announcing.ts';
import {
  aBudgetBody,
  advanceToManagerTime,
  getJson,
  managerDate,
  plusDays,
  sendLabelEvent,
  waitForReconciled,
} from '#test/support/budgets-cloud.ts';
import { busIdle, uniqueId, waitFor } from '#test/support/cloud.ts';

/**
 * A threshold warns once per period and plan it was measured against (docs/design.md#budgets): a plan
 * raised within the period, and crossed again, is warned of again, end to end to the SES emulator.
 */
const eur = (minor: number) => ({ minor, currency: 'EUR' });

describe('a budget whose plan is raised after its owner was warned, on the local cloud', () => {
  it('warns its owner again, once, when the spend crosses the threshold against the raised plan', async () => {
    const label = await aLabel();
    const owner = { name: 'Mara Quinn', email: `${uniqueId('owner')}@label.example` };
    const day0 = await managerDate();
    const plan = (radio: number, ads: number) =>
      aBudgetBody({
        budgetId,
        currency: 'EUR',
        period: { start: day0, end: plusDays(day0, 29) },
        owner,
        thresholds: [80],
        lines: [
          { lineId: 'radio', category: 'radio-plugging', planned: eur(radio) },
          { lineId: 'ads', category: 'advertising', planned: eur(ads) },
        ],
      });
    const budgetId = uniqueId('bud');
    const expense = (expenseId: string, date: string, lineId: string, minor: number) => ({
      expenseId,
      budgetId,
      lineId,
      vendor: 'Airplay Partners',
      date,
      amount: eur(minor),
      kind: 'actual',
    });
    const warnings = async () =>
      (await mailTo(owner.email, `Budget ${budgetId}: 80 % of the plan is spent`)).map(
        (m) => m.body.text ?? '',
      );
    const reconciledOn = async (date: string) => {
      await busIdle();
      await advanceToManagerTime(date, '07:15');
      await waitForReconciled(label.id, [budgetId], date);
      await busIdle();
    };
    // 850.00 of 1,000.00, within each line's plan: the owner is warned at 80 %.
    await sendLabelEvent(label, 'budget.set', plan(60_000, 40_000));
    await sendLabelEvent(label, 'expense.recorded', expense('exp-1', day0, 'radio', 50_000));
    await sendLabelEvent(label, 'expense.recorded', expense('exp-2', day0, 'ads', 35_000));
    await reconciledOn(plusDays(day0, 1));
    await waitFor(async () => (await warnings()).length === 1, {
      timeoutMs: 20_000,
      what: 'the first warning',
    });

    // The label raises the plan to 2,000.00 for the same period; the spend reaches 1,700.00 (85 %).
    await sendLabelEvent(label, 'budget.set', plan(120_000, 80_000), 1);
    await sendLabelEvent(label, 'expense.recorded', expense('exp-3', plusDays(day0, 1), 'radio', 50_000));
    await sendLabelEvent(label, 'expense.recorded', expense('exp-4', plusDays(day0, 1), 'ads', 35_000));
    await reconciledOn(plusDays(day0, 2));
    await waitFor(async () => (await warnings()).length === 2, {
      timeoutMs: 20_000,
      what: 'the warning against the raised plan',
    });
    // The next day's reconciliation and report: the same crossing is not warned of again.
    await reconciledOn(plusDays(day0, 3));
    await advanceToManagerTime(plusDays(day0, 3), '07:45');
    await busIdle();

    const mails = await warnings();
    expect(mails).toHaveLength(2);
    expect(mails[0]).toContain('Planned: 1,000.00 EUR');
    expect(mails[1]).toContain(
      `On ${plusDays(day0, 2)} committed and actual spend reached 85 % of the plan.`,
    );
    expect(mails[1]).toContain('Planned: 2,000.00 EUR');
    const { body } = await getJson<{ thresholdsCrossed: { threshold: number; date: string }[] }>(
      `/labels/${label.id}/budgets/${budgetId}`,
    );
    expect(body.thresholdsCrossed).toEqual([
      expect.objectContaining({ threshold: 80, date: plusDays(day0, 2) }),
    ]);
  });

  it('warns its owner once, at the highest threshold reached, when a cut leaves the spend past thresholds already warned at', async () => {
    const label = await aLabel();
    const owner = { name: 'Mara Quinn', email: `${uniqueId('owner')}@label.example` };
    const day0 = await managerDate();
    const budgetId = uniqueId('bud');
    const plan = (radio: number, ads: number) =>
      aBudgetBody({
        budgetId,
        currency: 'EUR',
        period: { start: day0, end: plusDays(day0, 29) },
        owner,
        thresholds: [50, 80],
        lines: [
          { lineId: 'radio', category: 'radio-plugging', planned: eur(radio) },
          { lineId: 'ads', category: 'advertising', planned: eur(ads) },
        ],
      });
    // The threshold warnings (the spend's week also warns of the forecast, in a mail of its own).
    const warnings = async () =>
      (await mailTo(owner.email, `Budget ${budgetId}: `))
        .filter((m) => m.subject.endsWith('% of the plan is spent'))
        .map((m) => `${m.subject}\n${m.body.text ?? ''}`);
    const reconciledOn = async (date: string) => {
      await busIdle();
      await advanceToManagerTime(date, '07:15');
      await waitForReconciled(label.id, [budgetId], date);
      await busIdle();
    };
    // 1,700.00 of 2,000.00 (85 %): the owner is warned at 50 and 80 %.
    await sendLabelEvent(label, 'budget.set', plan(120_000, 80_000));
    await sendLabelEvent(label, 'expense.recorded', {
      expenseId: 'exp-1',
      budgetId,
      lineId: 'radio',
      vendor: 'Airplay Partners',
      date: day0,
      amount: eur(110_000),
      kind: 'actual',
    });
    await sendLabelEvent(label, 'expense.recorded', {
      expenseId: 'exp-2',
      budgetId,
      lineId: 'ads',
      vendor: 'Airplay Partners',
      date: day0,
      amount: eur(60_000),
      kind: 'actual',
    });
    await reconciledOn(plusDays(day0, 1));
    await waitFor(async () => (await warnings()).length === 2, {
      timeoutMs: 20_000,
      what: 'the warnings at 50 and 80 %',
    });

    // The label cuts the plan to 1,900.00: 1,700.00 is 89 % of it.
    await sendLabelEvent(label, 'budget.set', plan(110_000, 80_000), 1);
    await reconciledOn(plusDays(day0, 2));
    await waitFor(async () => (await warnings()).length >= 3, {
      timeoutMs: 20_000,
      what: 'the warning against the cut plan',
    });
    // The next day's reconciliation and report: nothing more to warn of.
    await reconciledOn(plusDays(day0, 3));
    await advanceToManagerTime(plusDays(day0, 3), '07:45');
    await busIdle();

    const [fifty, eighty, ...afterCut] = await warnings();
    expect(fifty).toContain('Planned: 2,000.00 EUR');
    expect(eighty).toContain('Planned: 2,000.00 EUR');
    expect(afterCut).toHaveLength(1);
    expect(afterCut[0]).toContain(`Budget ${budgetId}: 80 % of the plan is spent`);
    expect(afterCut[0]).toContain(
      `On ${plusDays(day0, 2)} committed and actual spend reached 89.4 % of the plan.`,
    );
    expect(afterCut[0]).toContain('Planned: 1,900.00 EUR');
  });
});
