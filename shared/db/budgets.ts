import { type DynamoDBDocumentClient, PutCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './conditions.ts';
import { keyOf, keyParts } from './keys.ts';

/**
 * Budgets and their expense ledger.
 *
 * Access patterns:
 * - a budget and its ledger: pk = BUDGET#<labelId>#<budgetId>, sk = BUDGET (the budget), sk = EXPENSE#<expenseId> (entries)
 * - every budget, for the daily reconciliation: gsi1pk = BUDGETS, gsi1sk = <labelId>#<budgetId>
 */
export const budgetKey = (labelId: string, budgetId: string) => ({
  pk: keyOf('BUDGET', labelId, budgetId),
  sk: 'BUDGET',
});
export const expenseKey = (labelId: string, budgetId: string, expenseId: string) => ({
  pk: keyOf('BUDGET', labelId, budgetId),
  sk: keyOf('EXPENSE', expenseId),
});
const allBudgets = (labelId: string, budgetId: string) => ({
  gsi1pk: 'BUDGETS',
  gsi1sk: keyParts(labelId, budgetId),
});

export interface Money {
  minor: number;
  currency: string;
}

export interface BudgetRecord {
  labelId: string;
  budgetId: string;
  scope: { kind: string; id: string };
  limit: Money;
  startsOn: string;
  endsOn: string;
  thresholds: number[];
  ownerEmail: string;
  occurredAt: string;
}

export interface ExpenseRecord {
  labelId: string;
  budgetId: string;
  expenseId: string;
  amount: Money;
  category: string;
  incurredOn: string;
  description: string;
  vendor?: string;
}

/** The budget's terms; the newest change wins (EventBridge keeps no order). The running total is the ledger's. */
export async function saveBudget(
  db: DynamoDBDocumentClient,
  table: string,
  budget: BudgetRecord,
): Promise<void> {
  const fields = { ...budget, ...allBudgets(budget.labelId, budget.budgetId) };
  const names = Object.keys(fields);
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: budgetKey(budget.labelId, budget.budgetId),
        UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}`,
        ConditionExpression: 'attribute_not_exists(occurredAt) OR occurredAt < :occurredAt',
        ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
        ExpressionAttributeValues: Object.fromEntries(
          names.map((n) => [`:${n}`, fields[n as keyof typeof fields]]),
        ),
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** A ledger entry is written once per expense id, so a repeated event cannot count an expense twice. */
export async function recordExpense(
  db: DynamoDBDocumentClient,
  table: string,
  expense: ExpenseRecord,
): Promise<boolean> {
  try {
    await db.send(
      new PutCommand({
        TableName: table,
        Item: { ...expenseKey(expense.labelId, expense.budgetId, expense.expenseId), ...expense },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export async function* budgets(db: DynamoDBDocumentClient, table: string): AsyncGenerator<BudgetRecord> {
  for await (const page of paginateQuery(
    { client: db },
    {
      TableName: table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :all',
      ExpressionAttributeValues: { ':all': 'BUDGETS' },
    },
  )) {
    for (const item of page.Items ?? []) yield item as BudgetRecord;
  }
}

/** The sum of a budget's ledger, per currency. */
export async function ledgerTotals(
  db: DynamoDBDocumentClient,
  table: string,
  labelId: string,
  budgetId: string,
): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  for await (const page of paginateQuery(
    { client: db },
    {
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :expense)',
      ExpressionAttributeValues: { ':pk': budgetKey(labelId, budgetId).pk, ':expense': 'EXPENSE#' },
    },
  )) {
    for (const item of page.Items ?? []) {
      const { amount } = item as ExpenseRecord;
      totals[amount.currency] = (totals[amount.currency] ?? 0) + amount.minor;
    }
  }
  return totals;
}

/** Stores the reconciled total on the budget (written only by the reconciliation). */
export async function saveReconciledTotal(
  db: DynamoDBDocumentClient,
  table: string,
  budget: Pick<BudgetRecord, 'labelId' | 'budgetId'>,
  totals: Record<string, number>,
  reconciledAt: string,
): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: table,
      Key: budgetKey(budget.labelId, budget.budgetId),
      UpdateExpression: 'SET reconciledTotals = :totals, reconciledAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':totals': totals, ':at': reconciledAt },
    }),
  );
}
