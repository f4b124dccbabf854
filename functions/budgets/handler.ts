import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoBudgetLedger } from '#shared/db/budgets.ts';
import { BudgetSet, ExpenseRecorded, ReconciliationDue } from '#shared/events/index.ts';
import { eventHandler, on } from '#shared/lambda/event-handler.ts';
import { addToLedger, type BudgetsDeps, reconcileBudgets, setBudget } from './budgets.ts';

/** Budgets and the expense ledger, reconciled daily on `Reconciliation Due`. */
export const makeHandler = (deps: BudgetsDeps) =>
  eventHandler('budgets', [
    on(BudgetSet, (data, metadata) => setBudget(data, metadata, deps)),
    on(ExpenseRecorded, (data, metadata) => addToLedger(data, metadata, deps)),
    on(ReconciliationDue, (_data, metadata) => reconcileBudgets(metadata, deps)),
  ]);

export const liveDeps = (): BudgetsDeps => dynamoBudgetLedger(dynamo(), config().TABLE_NAME);

export const handler = makeHandler(liveDeps());
