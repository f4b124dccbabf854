import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/budgets/handler.ts';
import { BudgetSet, buildDetail, ExpenseRecorded, ReconciliationDue } from '#shared/events/index.ts';
import { InMemoryBudgetLedger } from '#test/support/budgets.ts';
import { anEvent } from '#test/support/events.ts';

describe('budgets', () => {
  it('reconciles each budget to the sum of its ledger, counting a repeated expense once', async () => {
    const ledger = new InMemoryBudgetLedger();
    const handle = makeHandler(ledger);
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

    expect(ledger.reconciled.get(InMemoryBudgetLedger.key('lbl-1', 'bud-nightdrive-promo'))).toEqual({
      EUR: 150_000,
    });
  });
});
