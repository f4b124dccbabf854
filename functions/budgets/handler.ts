import {
  BudgetReconciliationDue,
  BudgetReportDue,
  BudgetSet,
  ExpenseAmended,
  ExpenseRecorded,
  ExpenseVoided,
  MailUndeliverable,
  type Metadata,
  OutboxSweepDue,
  ReconciliationDue,
  TourShowSettled,
} from '#shared/events/index.ts';
import { eventHandler, on } from '#shared/lambda/event-handler.ts';
import { type Measure, measureFor } from '#shared/lambda/metrics.ts';
import { liveDeps } from './adapters.ts';
import {
  labelOf,
  receiveExpenseVersion,
  recordedVersion,
  setBudget,
  type VersionOf,
  voidedVersion,
} from './ledger-changes.ts';
import { sweepBudgetMail } from './mail.ts';
import type { BudgetsDeps } from './ports.ts';
import { fanOutReconciliation, reconcileBudget } from './reconcile.ts';
import { sendReports } from './report.ts';
import { receiveSettlement, takeTourSettlements } from './settlements.ts';
import { markOwnerUnreachable } from './unreachable.ts';

/**
 * Budgets and their ledger (expenses, and the shows' settlements of a tour budget); the daily
 * reconciliation, fanned out per budget, the owners' reports, their mail's stale claims, and owners
 * whose address stopped taking that mail.
 */
export const makeHandler = (deps: BudgetsDeps, measure: Measure = measureFor('budgets')) => {
  /** One version of an expense, into the ledger of the budget the event names (and out of any other). */
  const receive =
    <D extends { budgetId: string }>(versionOf: VersionOf<D>) =>
    (data: D, metadata: Metadata) =>
      receiveExpenseVersion(
        labelOf(metadata),
        data.budgetId,
        versionOf(data, metadata, deps.now().toISOString()),
        deps,
      );
  return eventHandler('budgets', [
    on(BudgetSet, async (data, metadata) => {
      // The shows of the tour of the terms in force: older terms delivered late name a tour no longer its.
      const inForce = await setBudget(data, metadata, deps);
      if (inForce) await takeTourSettlements(labelOf(metadata), inForce, deps);
    }),
    on(ExpenseRecorded, receive(recordedVersion('recorded'))),
    on(ExpenseAmended, receive(recordedVersion('amended'))),
    on(ExpenseVoided, receive(voidedVersion)),
    on(TourShowSettled, (data, metadata) => receiveSettlement(data, metadata, deps)),
    on(MailUndeliverable, (data, metadata) => markOwnerUnreachable(data, metadata, deps)),
    on(ReconciliationDue, (data, metadata) => fanOutReconciliation(data, metadata, deps)),
    on(BudgetReconciliationDue, async (data, metadata) => {
      // Each repair's drift measured as its write lands: a later failure does not lose it (docs/design.md#budgets).
      const reconciled = await reconcileBudget(data, metadata, deps, (drift) => {
        for (const [currency, minor] of Object.entries(drift))
          measure.record('ReconciliationDrift', { currency }, minor);
      });
      for (const threshold of reconciled?.thresholdsAlerted ?? [])
        measure.record('BudgetThresholdAlerts', { threshold: String(threshold) });
      return reconciled;
    }),
    on(BudgetReportDue, (data, metadata) => sendReports(data, metadata, deps)),
    on(OutboxSweepDue, () => sweepBudgetMail(deps)),
  ]);
};

export const handler = makeHandler(liveDeps());
