import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Budget, emptyState, evaluate, sum, versionAt, withVersion } from '#shared/budgets/ledger.ts';
import { stateItem, totalsKey, versionItem } from '#shared/db/budgets.ts';
import type { Expense } from '#shared/events/expense-recorded.ts';

/**
 * A budget's ledger as one `writeLedger` per expense leaves it: each expense's recorded version (sent
 * at `at`, received a second later) and its state as counted under the budget's terms with no rate
 * table, and the running totals (their counters, and one revision per write). For ledgers too large to
 * build through the budgets function in a test or a bench.
 */
export function ledgerItems(
  labelId: string,
  budget: Budget,
  expenses: Expense[],
  at: string,
): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  const contributions = [];
  const receivedAt = new Date(Date.parse(at) + 1000).toISOString();
  for (const data of expenses) {
    const version = {
      expenseId: data.expenseId,
      at: versionAt(at, `evt-${data.expenseId}`),
      change: 'recorded' as const,
      data,
      receivedAt,
    };
    const state = evaluate(
      withVersion(emptyState(data.expenseId, receivedAt), version),
      budget,
      () => undefined,
    );
    contributions.push(state.contribution);
    items.push(versionItem(labelId, budget.budgetId, version), stateItem(labelId, budget.budgetId, state));
  }
  items.push({ ...totalsKey(labelId, budget.budgetId), ...sum(...contributions), revision: expenses.length });
  return items;
}

/**
 * Puts items with BatchWriteItem (25 a call, what it leaves unprocessed again), no transaction:
 * DynamoDB Local's transactions take a table lock, and seeding is not what a test or bench is about.
 */
export async function putItems(db: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]) {
  let requests = 0;
  for (let start = 0; start < items.length; start += 25) {
    let batch = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    while (batch.length > 0) {
      requests++;
      const result = await db.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
      batch = (result.UnprocessedItems?.[table] ?? []) as typeof batch;
    }
  }
  return requests;
}
