import { afterEach, describe, expect, it } from 'vitest';
import { aLabel, mailTo } from '#test/support/announcing.ts';
import {
  aBudgetAlertDue,
  advanceToManagerTime,
  anExpenseBody,
  anOwner,
  eur,
  getJson,
  managerDate,
  plusDays,
  sendLabelEvent,
  waitForReconciled,
} from '#test/support/budgets-cloud.ts';
import {
  armFault,
  busEvents,
  busIdle,
  clearFaults,
  deadLetters,
  faultsReport,
  firedSince,
  waitFor,
} from '#test/support/cloud.ts';

/**
 * EventBridge and Lambda deliver at least once, and the repeat may run beside the first: every event
 * reaching budgets is handled by two instances at the same instant (invoke.duplicate,
 * docs/design.md#local-faults). Each expense is counted once, each reconciliation stated once and each
 * mail due sent once.
 */

afterEach(clearFaults);

describe('a budget when every event is delivered twice at the same instant', () => {
  it('counts each expense, amendment and void once, reconciles the day once, alerts its owner once and reports once', async () => {
    const label = await aLabel();
    const owner = anOwner();
    const day0 = await managerDate();
    const day1 = plusDays(day0, 1);
    const before = await faultsReport();
    await armFault('invoke.duplicate:budgets', 'inf');

    const budget = await aBudgetAlertDue(label, day0, owner);
    const expense = (expenseId: string, minor: number) =>
      anExpenseBody(budget.budgetId, expenseId, day0, { amount: eur(minor) });
    await sendLabelEvent(label, 'expense.recorded', expense('exp-2', 1_000), 1);
    await sendLabelEvent(label, 'expense.amended', expense('exp-2', 1_500), 2);
    await sendLabelEvent(label, 'expense.recorded', expense('exp-3', 500), 3);
    await sendLabelEvent(label, 'expense.voided', { expenseId: 'exp-3', budgetId: budget.budgetId }, 4);
    await busIdle();
    await advanceToManagerTime(day1, '07:15');
    await waitForReconciled(label.id, [budget.budgetId], day1);
    await busIdle();
    await advanceToManagerTime(day1, '07:45');
    await waitFor(async () => (await mailTo(owner.email, `Budgets on ${day1}`)).length > 0, {
      timeoutMs: 30_000,
      what: `the report of ${day1}`,
    });
    await busIdle();

    const { body } = await getJson<{ totals: { actual: number } }>(
      `/labels/${label.id}/budgets/${budget.budgetId}`,
    );
    expect(body.totals.actual).toBe(6_000 + 1_500);
    const ledger = await getJson<{ entries: { expenseId: string; change: string }[] }>(
      `/labels/${label.id}/budgets/${budget.budgetId}/ledger`,
    );
    expect(ledger.body.entries.map((entry) => [entry.expenseId, entry.change])).toEqual([
      ['exp-1', 'recorded'],
      ['exp-2', 'recorded'],
      ['exp-2', 'amended'],
      ['exp-3', 'recorded'],
      ['exp-3', 'voided'],
    ]);
    expect((await mailTo(owner.email, `Budget ${budget.budgetId}:`)).map((mail) => mail.subject)).toEqual([
      `Budget ${budget.budgetId}: 50 % of the plan is spent`,
    ]);
    expect(await mailTo(owner.email, `Budgets on ${day1}`)).toHaveLength(1);
    const reconciled = (await busEvents({ detailType: 'Budget Reconciled' })).filter(
      (event) => (event.detail.data as { budgetId: string }).budgetId === budget.budgetId,
    );
    expect(reconciled).toHaveLength(1);
    const crossed = (await busEvents({ detailType: 'Budget Threshold Crossed' })).filter(
      (event) => (event.detail.data as { budgetId: string }).budgetId === budget.budgetId,
    );
    expect(crossed).toHaveLength(1);
    expect((await firedSince(before))['invoke.duplicate:budgets']).toBeGreaterThanOrEqual(7);
    expect((await deadLetters()).filter((d) => JSON.stringify(d.event).includes(budget.budgetId))).toEqual(
      [],
    );
  });
});
