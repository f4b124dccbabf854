import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BudgetsDeps } from '#functions/budgets/ports.ts';
import { reconcileBudget } from '#functions/budgets/reconcile.ts';
import { type Budget, emptyState, evaluate, sum, versionAt, withVersion } from '#shared/budgets/ledger.ts';
import { stateItem, totalsKey, versionItem } from '#shared/db/budgets.ts';
import type { Expense } from '#shared/events/expense-recorded.ts';
import { BudgetReconciliationDue, BudgetSet, buildDetail } from '#shared/events/index.ts';

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
 * Puts items with BatchWriteItem (25 a call, what it leaves unprocessed again, `inFlight` calls at once),
 * no transaction: DynamoDB Local's transactions take a table lock, and seeding is not what a test or
 * bench is about. Items of one call are written in no particular order: give each its own key.
 */
export async function putItems(
  db: DynamoDBDocumentClient,
  table: string,
  items: Record<string, unknown>[],
  inFlight = 4,
) {
  let requests = 0;
  let next = 0;
  const putBatches = async () => {
    for (let start = next; start < items.length; start = next) {
      next += 25;
      let batch = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
      while (batch.length > 0) {
        requests++;
        const result = await db.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
        batch = (result.UnprocessedItems?.[table] ?? []) as typeof batch;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, putBatches));
  return requests;
}

/**
 * A budget of `labelId` over 2019 (BudgetSet's sample terms), set on 1 January 2019: its period ended
 * years before the test cloud's clock, so the cloud's own daily fan-out never reconciles it.
 */
export const aBudgetOf2019 = (labelId: string, budgetId: string): Budget => ({
  ...BudgetSet.data.parse({
    ...BudgetSet.sample,
    budgetId,
    period: { start: '2019-01-01', end: '2019-12-31' },
  }),
  labelId,
  occurredAt: '2019-01-01T00:00:00.000Z',
});

/**
 * The reconciliation of `budgetId` for 2 January 2020, by the budgets function's own code over `store`
 * at 07:00:05 UTC, its mail port throwing `nothing here is mailed: <why>` if anything is mailed.
 */
export async function reconcileOn2January2020(
  store: BudgetsDeps['store'],
  labelId: string,
  budgetId: string,
  why: string,
) {
  const deps: BudgetsDeps = {
    store,
    mail: new Proxy({} as BudgetsDeps['mail'], {
      get: () => {
        throw new Error(`nothing here is mailed: ${why}`);
      },
    }),
    now: () => new Date('2020-01-02T07:00:05.000Z'),
    timeZone: 'UTC',
  };
  const due = buildDetail(BudgetReconciliationDue, { labelId, budgetId, date: '2020-01-02' });
  await reconcileBudget(due.data, due.metadata, deps);
}
