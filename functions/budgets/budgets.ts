import type { BudgetLedger } from '#shared/db/budgets.ts';
import type { BudgetSet, EventData, ExpenseRecorded, Metadata } from '#shared/events/index.ts';

export type BudgetsDeps = BudgetLedger;

/** A label set (or reset) a budget: the plan changes, the ledger stays. */
export const setBudget = (data: EventData<typeof BudgetSet>, metadata: Metadata, deps: BudgetsDeps) =>
  deps.saveBudget({ ...data, labelId: labelOf(metadata), occurredAt: metadata.occurredAt });

/** One ledger entry per expense id: a repeated expense is counted once. */
export async function addToLedger(
  data: EventData<typeof ExpenseRecorded>,
  metadata: Metadata,
  deps: BudgetsDeps,
) {
  await deps.recordExpense({ ...data, labelId: labelOf(metadata) });
}

/** Sets each budget's total to the sum of its ledger. */
export async function reconcileBudgets(metadata: Metadata, deps: BudgetsDeps) {
  for await (const budget of deps.budgets()) {
    const totals = await deps.ledgerTotals(budget.labelId, budget.budgetId);
    await deps.saveReconciledTotal(budget, totals, metadata.occurredAt);
  }
}

/** Budgets come from a label's webhook; events without a label cannot be filed and are retried, then dead-lettered. */
const labelOf = (metadata: Metadata): string => {
  if (!metadata.labelId) throw new Error(`event ${metadata.eventId} has no labelId`);
  return metadata.labelId;
};
