import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/budgets/handler.ts';
import type { BudgetRecord, ExpenseRecord } from '#shared/db/budgets.ts';
import { BudgetSet, buildDetail, ExpenseRecorded, ReconciliationDue } from '#shared/events/index.ts';
import { anEvent } from '#test/support/events.ts';

/** An in-memory ledger with the same invariant as the table: one entry per expense id. */
function fakeLedger() {
  const budgets = new Map<string, BudgetRecord>();
  const expenses = new Map<string, ExpenseRecord>();
  const reconciled = new Map<string, Record<string, number>>();
  return {
    reconciled,
    deps: {
      saveBudget: async (budget: BudgetRecord) => {
        budgets.set(budget.budgetId, budget);
      },
      recordExpense: async (expense: ExpenseRecord) => {
        if (expenses.has(expense.expenseId)) return false;
        expenses.set(expense.expenseId, expense);
        return true;
      },
      budgets: async function* () {
        yield* budgets.values();
      },
      ledgerTotals: async (_: string, budgetId: string) => {
        const totals: Record<string, number> = {};
        for (const e of expenses.values())
          if (e.budgetId === budgetId)
            totals[e.amount.currency] = (totals[e.amount.currency] ?? 0) + e.amount.minor;
        return totals;
      },
      saveReconciledTotal: async (budget: BudgetRecord, totals: Record<string, number>) => {
        reconciled.set(budget.budgetId, totals);
      },
    },
  };
}

describe('budgets', () => {
  it('reconciles each budget to the sum of its ledger, counting a repeated expense once', async () => {
    const ledger = fakeLedger();
    const handle = makeHandler(ledger.deps);
    const expense = buildDetail(ExpenseRecorded, ExpenseRecorded.sample, { labelId: 'lbl-1' });
    const second = buildDetail(
      ExpenseRecorded,
      { ...ExpenseRecorded.sample, expenseId: 'exp-0002', amount: { minor: 30_000, currency: 'EUR' } },
      { labelId: 'lbl-1' },
    );
    await handle(
      anEvent(BudgetSet, buildDetail(BudgetSet, BudgetSet.sample, { labelId: 'lbl-1' })),
      {} as Context,
    );
    await handle(anEvent(ExpenseRecorded, expense), {} as Context);
    await handle(anEvent(ExpenseRecorded, expense), {} as Context);
    await handle(anEvent(ExpenseRecorded, second), {} as Context);

    await handle(anEvent(ReconciliationDue, buildDetail(ReconciliationDue, {})), {} as Context);

    expect(ledger.reconciled.get('bud-nightdrive-promo')).toEqual({ EUR: 150_000 });
  });
});
