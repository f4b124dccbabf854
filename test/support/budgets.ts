import type { BudgetLedger, BudgetRecord, ExpenseRecord } from '#shared/db/budgets.ts';

/** Budgets and their ledger in memory, with the table's rules (see test/contracts/budget-ledger.contract.ts). */
export class InMemoryBudgetLedger implements BudgetLedger {
  readonly stored = new Map<string, BudgetRecord>();
  readonly expenses = new Map<string, ExpenseRecord>();
  /** The reconciled totals per budget (`labelId`/`budgetId` as a JSON pair). */
  readonly reconciled = new Map<string, Record<string, number>>();

  static key = (labelId: string, budgetId: string) => JSON.stringify([labelId, budgetId]);

  async saveBudget(budget: BudgetRecord) {
    const key = InMemoryBudgetLedger.key(budget.labelId, budget.budgetId);
    const current = this.stored.get(key);
    if (current && current.occurredAt >= budget.occurredAt) return;
    this.stored.set(key, structuredClone(budget));
  }

  async recordExpense(expense: ExpenseRecord) {
    const key = JSON.stringify([expense.labelId, expense.budgetId, expense.expenseId]);
    if (this.expenses.has(key)) return false;
    this.expenses.set(key, structuredClone(expense));
    return true;
  }

  async *budgets() {
    for (const budget of this.stored.values()) yield structuredClone(budget);
  }

  async ledgerTotals(labelId: string, budgetId: string) {
    const totals: Record<string, number> = {};
    for (const { amount, ...expense } of this.expenses.values())
      if (expense.labelId === labelId && expense.budgetId === budgetId)
        totals[amount.currency] = (totals[amount.currency] ?? 0) + amount.minor;
    return totals;
  }

  async saveReconciledTotal(
    budget: Pick<BudgetRecord, 'labelId' | 'budgetId'>,
    totals: Record<string, number>,
  ) {
    const key = InMemoryBudgetLedger.key(budget.labelId, budget.budgetId);
    if (!this.stored.has(key)) throw new Error(`no budget ${key} to reconcile`);
    this.reconciled.set(key, { ...totals });
  }
}
