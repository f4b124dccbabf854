import { describe, expect, it } from 'vitest';
import { aLabel } from '#test/support/announcing.ts';
import { aBudgetBody, managerDate, sendLabelEvent } from '#test/support/budgets-cloud.ts';
import { api, busIdle } from '#test/support/cloud.ts';

/**
 * Amounts are integer minor units (docs/design.md#money): each expense's amount is within the largest
 * integer a number holds exactly (2^53 - 1), but a budget's totals are running sums that DynamoDB keeps
 * exactly past it and the SDK then reads back as a BigInt.
 */
describe('a budget whose expenses sum past the largest amount Backline keeps', () => {
  it.fails('still answers its view (200), not a 500 from its totals', async () => {
    const label = await aLabel();
    const today = await managerDate();
    const budget = aBudgetBody({
      currency: 'GBP',
      lines: [{ lineId: 'travel', category: 'travel', planned: { minor: 100_000, currency: 'GBP' } }],
    });
    const expense = (expenseId: string) => ({
      expenseId,
      budgetId: budget.budgetId,
      lineId: 'travel',
      vendor: 'Coach Hire Ltd',
      invoiceNumber: expenseId,
      date: today,
      // 50 trillion pounds each: within Minor, their sum is not.
      amount: { minor: 5_000_000_000_000_000, currency: 'GBP' },
      kind: 'actual',
    });
    await sendLabelEvent(label, 'budget.set', budget);
    await sendLabelEvent(label, 'expense.recorded', expense('exp-1'));
    await sendLabelEvent(label, 'expense.recorded', expense('exp-2'));

    // Both applied, their running totals included (the budgets function has nothing left to do).
    await busIdle();
    const view = await api(`/labels/${label.id}/budgets/${budget.budgetId}`);

    expect(view.status).toBe(200);
  });
});
