import { type ExpenseVersion, incomeKind, settlementLine, versionAt } from '#shared/budgets/ledger.ts';
import { type SettlementVersion, settlementEntryId } from '#shared/db/budgets.ts';
import type { EventData, Metadata, TourShowSettled } from '#shared/events/index.ts';
import { formatMoney } from '#shared/money/money.ts';
import { labelOf, receiveVersion } from './ledger-changes.ts';
import type { BudgetsDeps } from './ports.ts';

/**
 * A show's settlement as a line of one tour budget: the artist's net as income (shown apart, adding
 * to what remains, never spend), in the settlement's currency, converted like an expense with the
 * rate of the day it was settled. A later settlement of the same show
 * (by the label's timestamp) replaces an earlier one; an older one arriving late is kept and ignored.
 */
export function settlementVersion(
  budgetId: string,
  { at, receivedAt, settlement }: SettlementVersion,
): ExpenseVersion {
  const expenseId = settlementEntryId(settlement.tourId, settlement.showId);
  const deducted = settlement.deductions.reduce((total, d) => total + d.amount.minor, 0);
  const currency = settlement.gross.currency;
  return {
    expenseId,
    at,
    change: 'settled',
    data: {
      expenseId,
      budgetId,
      lineId: settlementLine.lineId,
      vendor: `show ${settlement.showId}`,
      // The day as the label stated it (settledAt at its own offset): the day its rate is of.
      date: settlement.settledAt.slice(0, 10),
      amount: settlement.artistNet,
      kind: incomeKind,
      description: `Settlement of show ${settlement.showId}: gross ${formatMoney(settlement.gross)}, deductions ${formatMoney({ minor: deducted, currency })}, artist net ${formatMoney(settlement.artistNet)}`,
      settlement: {
        tourId: settlement.tourId,
        showId: settlement.showId,
        settledAt: settlement.settledAt,
        gross: settlement.gross,
        deductions: settlement.deductions,
      },
    },
    receivedAt,
  };
}

/**
 * A show was settled: the settlement is kept with its tour (a tour budget set later takes it then),
 * and becomes an income line of each budget of the tour, once per version whatever is redelivered.
 */
export async function receiveSettlement(
  data: EventData<typeof TourShowSettled>,
  metadata: Metadata,
  deps: BudgetsDeps,
) {
  const labelId = labelOf(metadata);
  const version: SettlementVersion = {
    at: versionAt(metadata.occurredAt, metadata.eventId),
    receivedAt: deps.now().toISOString(),
    settlement: data,
  };
  await deps.store.saveSettlement(labelId, version);
  for (const budget of await deps.store.labelBudgets(labelId, { kind: 'tour', id: data.tourId }))
    await receiveVersion(labelId, budget.budgetId, settlementVersion(budget.budgetId, version), deps);
}

/**
 * A tour budget takes the settlements of its tour's shows it lacks (each version once): when it is set
 * (settlements that came first) and at each daily reconciliation (a settlement filed while the budget
 * was being set, before the label's budgets listed it). Answers how many it took.
 */
export async function takeTourSettlements(
  labelId: string,
  budget: { budgetId: string; scope: { kind: string; id: string } },
  deps: BudgetsDeps,
  has: Pick<ExpenseVersion, 'expenseId' | 'at'>[] = [],
): Promise<number> {
  if (budget.scope.kind !== 'tour') return 0;
  const kept = new Set(has.map((v) => JSON.stringify([v.expenseId, v.at])));
  const missing = (await deps.store.tourSettlements(labelId, budget.scope.id))
    .map((version) => settlementVersion(budget.budgetId, version))
    .filter((version) => !kept.has(JSON.stringify([version.expenseId, version.at])));
  for (const version of missing) await receiveVersion(labelId, budget.budgetId, version, deps);
  return missing.length;
}
