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

/** Budgets and their ledger, as the budgets function sees them. */
export interface BudgetLedger {
  /** The budget's terms; the newest change (by `occurredAt`) wins, an older or equal one is ignored. */
  saveBudget(budget: BudgetRecord): Promise<void>;
  /** Adds an expense to its budget's ledger; false when that expense id is already in it (counted once). */
  recordExpense(expense: ExpenseRecord): Promise<boolean>;
  /** Every budget. */
  budgets(): AsyncIterable<BudgetRecord>;
  /** The sum of one budget's ledger, per currency. */
  ledgerTotals(labelId: string, budgetId: string): Promise<Record<string, number>>;
  /** Stores the reconciled total on an existing budget (written only by the reconciliation). */
  saveReconciledTotal(
    budget: Pick<BudgetRecord, 'labelId' | 'budgetId'>,
    totals: Record<string, number>,
    reconciledAt: string,
  ): Promise<void>;
}

export const dynamoBudgetLedger = (db: DynamoDBDocumentClient, table: string): BudgetLedger => ({
  saveBudget: (budget) => saveBudget(db, table, budget),
  recordExpense: (expense) => recordExpense(db, table, expense),
  budgets: () => budgets(db, table),
  ledgerTotals: (labelId, budgetId) => ledgerTotals(db, table, labelId, budgetId),
  saveReconciledTotal: (budget, totals, at) => saveReconciledTotal(db, table, budget, totals, at),
});

/** The budget's terms; the newest change wins (EventBridge keeps no order). The running total is the ledger's. */
async function saveBudget(db: DynamoDBDocumentClient, table: string, budget: BudgetRecord): Promise<void> {
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
async function recordExpense(
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

/** The stored budget without its keys and the reconciliation's bookkeeping. */
const budgetOf = (item: Record<string, unknown>): BudgetRecord => {
  const { labelId, budgetId, scope, limit, startsOn, endsOn, thresholds, ownerEmail, occurredAt } = item;
  return {
    labelId,
    budgetId,
    scope,
    limit,
    startsOn,
    endsOn,
    thresholds,
    ownerEmail,
    occurredAt,
  } as BudgetRecord;
};

async function* budgets(db: DynamoDBDocumentClient, table: string): AsyncGenerator<BudgetRecord> {
  for await (const page of paginateQuery(
    { client: db },
    {
      TableName: table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :all',
      ExpressionAttributeValues: { ':all': 'BUDGETS' },
    },
  )) {
    for (const item of page.Items ?? []) yield budgetOf(item);
  }
}

/** The sum of a budget's ledger, per currency. */
async function ledgerTotals(
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
async function saveReconciledTotal(
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
