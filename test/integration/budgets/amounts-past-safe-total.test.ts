import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { counter, totalLimit } from '#shared/budgets/ledger.ts';
import { expenseKey, totalsKey } from '#shared/db/budgets.ts';
import { aLabel } from '#test/support/announcing.ts';
import { aBudgetBody, getJson, managerDate, sendLabelEvent } from '#test/support/budgets-cloud.ts';
import { api, busIdle, cloud, deadLetters, documentClient } from '#test/support/cloud.ts';

/**
 * Amounts are integer minor units (docs/design.md#money): each expense's amount is within the largest
 * integer a number holds exactly (2^53 - 1), and so is every running total of a budget: a change that
 * would take one past it is refused for good, kept apart and listed on the budget.
 */
describe('a budget whose expenses sum past the largest amount Backline keeps', () => {
  const travelBudget = () =>
    aBudgetBody({
      currency: 'GBP',
      lines: [{ lineId: 'travel', category: 'travel', planned: { minor: 100_000, currency: 'GBP' } }],
    });

  /** 50 trillion pounds on the travel line: within Minor, two of them sum past it. */
  const fiftyTrillion = (budgetId: string, expenseId: string, date: string) => ({
    expenseId,
    budgetId,
    lineId: 'travel',
    vendor: 'Coach Hire Ltd',
    invoiceNumber: expenseId,
    date,
    amount: { minor: 5_000_000_000_000_000, currency: 'GBP' },
    kind: 'actual',
  });

  /** The budget's view: the first expense counted, the second refused for good, nothing dead-lettered. */
  async function expectFirstCountedSecondRefused(label: { id: string }, budgetId: string) {
    const view = await getJson<{
      totals: { actual: number };
      refused: { expenseId: string; change: string; total: string; reason: string }[];
      expenses: number;
    }>(`/labels/${label.id}/budgets/${budgetId}`);
    expect(view.status).toBe(200);
    expect(view.body.totals.actual).toBe(5_000_000_000_000_000);
    expect(view.body.expenses).toBe(1);
    expect(view.body.refused).toEqual([
      expect.objectContaining({ expenseId: 'exp-2', change: 'recorded', total: 'actual travel' }),
    ]);
    expect(view.body.refused[0].reason).toContain('9007199254740991');
    // Refused, not failed: nothing of it was retried into the dead letters.
    expect(JSON.stringify(await deadLetters())).not.toContain(label.id);
  }

  /** The expense's state as stored, once the budgets function has handled what the bus holds. */
  const storedState = async (labelId: string, budgetId: string, expenseId: string) => {
    await busIdle();
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: cloud().tableName,
        Key: expenseKey(labelId, budgetId, expenseId),
        ConsistentRead: true,
      }),
    );
    return Item;
  };

  it('counts the first expense, refuses the one that would pass the limit, and still answers its view (200)', async () => {
    const label = await aLabel();
    const today = await managerDate();
    const budget = travelBudget();
    await sendLabelEvent(label, 'budget.set', budget);
    await busIdle();

    // One after the other: the second is the one received when the first counts.
    await sendLabelEvent(label, 'expense.recorded', fiftyTrillion(budget.budgetId, 'exp-1', today));
    await busIdle();
    await sendLabelEvent(label, 'expense.recorded', fiftyTrillion(budget.budgetId, 'exp-2', today), 1);
    await busIdle();

    await expectFirstCountedSecondRefused(label, budget.budgetId);
  });

  it('counts the first expense and refuses the second when the budget is set after both were held: the Budget Set handled', async () => {
    const label = await aLabel();
    const today = await managerDate();
    const budget = travelBudget();
    await sendLabelEvent(label, 'expense.recorded', fiftyTrillion(budget.budgetId, 'exp-1', today));
    expect((await storedState(label.id, budget.budgetId, 'exp-1'))?.held).toBe(true);
    await sendLabelEvent(label, 'expense.recorded', fiftyTrillion(budget.budgetId, 'exp-2', today), 1);
    expect((await storedState(label.id, budget.budgetId, 'exp-2'))?.held).toBe(true);

    await sendLabelEvent(label, 'budget.set', budget, 2);
    await busIdle();

    await expectFirstCountedSecondRefused(label, budget.budgetId);
    // Refused, no longer held for the budget: the sweep of held expenses does not report it.
    const refused = await storedState(label.id, budget.budgetId, 'exp-2');
    expect(refused?.held).toBeUndefined();
    expect(refused?.gsi2pk).toBeUndefined();
  });

  it('answers the view (200) of a budget whose total was stored past the limit before it was kept', async () => {
    const label = await aLabel();
    const budget = travelBudget();
    await sendLabelEvent(label, 'budget.set', budget);
    await busIdle();
    // As DynamoDB added two such expenses before the limit: the SDK reads it back as a BigInt.
    await documentClient().send(
      new UpdateCommand({
        TableName: cloud().tableName,
        Key: totalsKey(label.id, budget.budgetId),
        UpdateExpression: 'ADD #actual :sum, revision :one',
        ExpressionAttributeNames: { '#actual': counter.actual('travel') },
        ExpressionAttributeValues: { ':sum': 10_000_000_000_000_000n, ':one': 1 },
      }),
    );

    const view = await api(`/labels/${label.id}/budgets/${budget.budgetId}`);

    expect(view.status).toBe(200);
    const body = (await view.json()) as { totals: { actual: number }; lines: { actual: number }[] };
    // The line's total as read (the nearest number); the budget's sum of it stated as the largest kept.
    expect(body.lines.map((line) => line.actual)).toEqual([1e16]);
    expect(body.totals.actual).toBe(totalLimit);
  });
  it("refuses, on DynamoDB, an expense whose conversion at the label's rate passes the limit, and answers its view (200)", async () => {
    const label = await aLabel();
    const today = await managerDate();
    const budget = travelBudget();
    await sendLabelEvent(label, 'budget.set', budget);
    await busIdle();

    // 1,000,000.00 USD at 100000000 GBP a dollar (the importer dropped the point of 1.00000000): 10^16 pence.
    await sendLabelEvent(label, 'expense.recorded', {
      ...fiftyTrillion(budget.budgetId, 'exp-2', today),
      amount: { minor: 100_000_000, currency: 'USD' },
      rate: { value: '100000000', date: today, source: 'importer' },
    });
    await busIdle();

    const view = await getJson<{ refused: { expenseId: string; total: string }[]; expenses: number }>(
      `/labels/${label.id}/budgets/${budget.budgetId}`,
    );
    expect(view.status).toBe(200);
    expect(view.body.expenses).toBe(0);
    expect(view.body.refused).toEqual([
      expect.objectContaining({ expenseId: 'exp-2', total: 'actual travel' }),
    ]);
    expect(JSON.stringify(await deadLetters())).not.toContain(label.id);
  });
});
