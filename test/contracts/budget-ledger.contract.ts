import { describe, expect, it } from 'vitest';
import type { BudgetLedger, BudgetRecord, ExpenseRecord } from '#shared/db/budgets.ts';
import { uniqueId } from '#test/support/cloud.ts';

/** What every BudgetLedger does, on the fake and on DynamoDB Local (see outlet-directory.contract.ts). */
export function describeBudgetLedgerContract(name: string, makeStore: () => BudgetLedger) {
  const aBudget = (overrides: Partial<BudgetRecord> = {}): BudgetRecord => ({
    labelId: uniqueId('lbl'),
    budgetId: uniqueId('bud'),
    scope: { kind: 'release', id: 'rel-night-drive' },
    limit: { minor: 500_000, currency: 'EUR' },
    startsOn: '2027-01-01',
    endsOn: '2027-06-30',
    thresholds: [50, 80, 100],
    ownerEmail: 'owner@label.example',
    occurredAt: '2027-01-05T10:00:00.000Z',
    ...overrides,
  });
  const anExpense = (budget: BudgetRecord, overrides: Partial<ExpenseRecord> = {}): ExpenseRecord => ({
    labelId: budget.labelId,
    budgetId: budget.budgetId,
    expenseId: uniqueId('exp'),
    amount: { minor: 10_000, currency: 'EUR' },
    category: 'ads',
    incurredOn: '2027-02-01',
    description: 'Radio ads',
    ...overrides,
  });
  const budgetsOf = async (store: BudgetLedger, labelId: string) => {
    const found: BudgetRecord[] = [];
    for await (const budget of store.budgets()) if (budget.labelId === labelId) found.push(budget);
    return found;
  };

  describe(`BudgetLedger contract: ${name}`, () => {
    it('counts a repeated expense once', async () => {
      const store = makeStore();
      const budget = aBudget();
      const expense = anExpense(budget);

      expect(await store.recordExpense(expense)).toBe(true);
      expect(await store.recordExpense({ ...expense, amount: { minor: 99, currency: 'EUR' } })).toBe(false);
      expect(
        await store.recordExpense(anExpense(budget, { amount: { minor: 2_500, currency: 'USD' } })),
      ).toBe(true);

      expect(await store.ledgerTotals(budget.labelId, budget.budgetId)).toEqual({ EUR: 10_000, USD: 2_500 });
    });

    it('keeps ledgers apart: the same expense id in another budget, or another label’s budget of the same id, counts there', async () => {
      const store = makeStore();
      const budget = aBudget();
      const otherBudget = aBudget({ labelId: budget.labelId });
      const otherLabel = aBudget({ budgetId: budget.budgetId });
      const expense = anExpense(budget);

      await store.recordExpense(expense);
      expect(await store.recordExpense({ ...anExpense(otherBudget), expenseId: expense.expenseId })).toBe(
        true,
      );
      expect(await store.recordExpense({ ...anExpense(otherLabel), expenseId: expense.expenseId })).toBe(
        true,
      );

      expect(await store.ledgerTotals(budget.labelId, budget.budgetId)).toEqual({ EUR: 10_000 });
      expect(await store.ledgerTotals(otherLabel.labelId, otherLabel.budgetId)).toEqual({ EUR: 10_000 });
      expect(await store.ledgerTotals(budget.labelId, uniqueId('bud'))).toEqual({});
    });

    it('keeps the newest terms of a budget: an older or equally old change is ignored', async () => {
      const store = makeStore();
      const budget = aBudget({ occurredAt: '2027-01-05T10:00:00.000Z' });
      const newer = {
        ...budget,
        limit: { minor: 900_000, currency: 'EUR' },
        occurredAt: '2027-01-06T10:00:00.000Z',
      };

      await store.saveBudget(budget);
      await store.saveBudget(newer);
      await store.saveBudget({ ...budget, thresholds: [10] });
      await store.saveBudget({ ...newer, ownerEmail: 'same-time@label.example' });

      expect(await budgetsOf(store, budget.labelId)).toEqual([newer]);
    });

    it('lists every budget, each as it was saved', async () => {
      const store = makeStore();
      const labelId = uniqueId('lbl');
      const budgets = [aBudget({ labelId }), aBudget({ labelId })];
      for (const budget of budgets) await store.saveBudget(budget);

      const found = await budgetsOf(store, labelId);

      expect(found).toHaveLength(2);
      expect(found).toEqual(expect.arrayContaining(budgets));
    });

    it('keeps the terms when the reconciliation stores a total, and refuses a total for a budget that does not exist', async () => {
      const store = makeStore();
      const budget = aBudget();
      await store.saveBudget(budget);

      await store.saveReconciledTotal(budget, { EUR: 10_000 }, '2027-02-02T00:00:00.000Z');

      expect(await budgetsOf(store, budget.labelId)).toEqual([budget]);
      await expect(
        store.saveReconciledTotal(aBudget(), { EUR: 1 }, '2027-02-02T00:00:00.000Z'),
      ).rejects.toThrow();
    });
  });
}
