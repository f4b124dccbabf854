import {
  BudgetReconciliationDue,
  BudgetReportDue,
  BudgetSet,
  ExpenseAmended,
  ExpenseRecorded,
  ExpenseVoided,
  OutboxSweepDue,
  ReconciliationDue,
} from '#shared/events/index.ts';
import { eventHandler, on } from '#shared/lambda/event-handler.ts';
import { liveDeps } from './adapters.ts';
import { labelOf, receiveVersion, recordedVersion, setBudget, voidedVersion } from './ledger-changes.ts';
import { sweepBudgetMail } from './mail.ts';
import type { BudgetsDeps } from './ports.ts';
import { fanOutReconciliation, reconcileBudget } from './reconcile.ts';
import { sendReports } from './report.ts';

/** Budgets and their ledger; the daily reconciliation, fanned out per budget, the owners' reports, and their mail's stale claims. */
export const makeHandler = (deps: BudgetsDeps) => {
  const receivedAt = () => deps.now().toISOString();
  return eventHandler('budgets', [
    on(BudgetSet, (data, metadata) => setBudget(data, metadata, deps)),
    on(ExpenseRecorded, (data, metadata) =>
      receiveVersion(
        labelOf(metadata),
        data.budgetId,
        recordedVersion('recorded', data, metadata, receivedAt()),
        deps,
      ),
    ),
    on(ExpenseAmended, (data, metadata) =>
      receiveVersion(
        labelOf(metadata),
        data.budgetId,
        recordedVersion('amended', data, metadata, receivedAt()),
        deps,
      ),
    ),
    on(ExpenseVoided, (data, metadata) =>
      receiveVersion(labelOf(metadata), data.budgetId, voidedVersion(data, metadata, receivedAt()), deps),
    ),
    on(ReconciliationDue, (data, metadata) => fanOutReconciliation(data, metadata, deps)),
    on(BudgetReconciliationDue, (data, metadata) => reconcileBudget(data, metadata, deps)),
    on(BudgetReportDue, (data, metadata) => sendReports(data, metadata, deps)),
    on(OutboxSweepDue, () => sweepBudgetMail(deps)),
  ]);
};

export const handler = makeHandler(liveDeps());
