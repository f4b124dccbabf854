import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import {
  type BudgetRecord,
  budgets,
  type ExpenseRecord,
  ledgerTotals,
  recordExpense,
  saveBudget,
  saveReconciledTotal,
} from '#shared/db/budgets.ts';
import { BudgetSet, ExpenseRecorded, type Metadata, ReconciliationDue } from '#shared/events/index.ts';

export interface BudgetsDeps {
  saveBudget(budget: BudgetRecord): Promise<void>;
  recordExpense(expense: ExpenseRecord): Promise<boolean>;
  budgets(): AsyncIterable<BudgetRecord>;
  ledgerTotals(labelId: string, budgetId: string): Promise<Record<string, number>>;
  saveReconciledTotal(budget: BudgetRecord, totals: Record<string, number>, at: string): Promise<void>;
}

/**
 * Keeps budgets and the expense ledger, and on `Reconciliation Due` sets each budget's total to the
 * sum of its ledger. Threshold warnings to owners are the budgets issue's work.
 */
export const makeHandler = (deps: BudgetsDeps) =>
  middy(async (event: EventBridgeEvent<string, unknown>) => {
    switch (event['detail-type']) {
      case BudgetSet.detailType: {
        const { metadata, data } = BudgetSet.detail.parse(event.detail);
        return deps.saveBudget({ ...data, labelId: labelOf(metadata), occurredAt: metadata.occurredAt });
      }
      case ExpenseRecorded.detailType: {
        const { metadata, data } = ExpenseRecorded.detail.parse(event.detail);
        await deps.recordExpense({ ...data, labelId: labelOf(metadata) });
        return;
      }
      case ReconciliationDue.detailType: {
        const { metadata } = ReconciliationDue.detail.parse(event.detail);
        for await (const budget of deps.budgets()) {
          const totals = await deps.ledgerTotals(budget.labelId, budget.budgetId);
          await deps.saveReconciledTotal(budget, totals, metadata.occurredAt);
        }
        return;
      }
      default:
        throw new Error(`budgets does not handle ${event['detail-type']}`);
    }
  });

const labelOf = (metadata: Metadata): string => {
  if (!metadata.labelId) throw new Error(`event ${metadata.eventId} has no labelId`);
  return metadata.labelId;
};

const table = () => config().TABLE_NAME;

export const liveDeps = (): BudgetsDeps => ({
  saveBudget: (budget) => saveBudget(dynamo(), table(), budget),
  recordExpense: (expense) => recordExpense(dynamo(), table(), expense),
  budgets: () => budgets(dynamo(), table()),
  ledgerTotals: (labelId, budgetId) => ledgerTotals(dynamo(), table(), labelId, budgetId),
  saveReconciledTotal: (budget, totals, at) => saveReconciledTotal(dynamo(), table(), budget, totals, at),
});

export const handler = makeHandler(liveDeps());
