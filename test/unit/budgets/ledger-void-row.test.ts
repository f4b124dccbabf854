import { describe, expect, it } from 'vitest';
import { callApi } from '#test/support/api.ts';
import { officeBudgetsApi } from '#test/support/budgets.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// A manager reads the ledger to see what happened to an invoice: a void or a move states what left.
const ledgerRows = async (h: ReturnType<typeof budgetsHarness>) => {
  const answer = await callApi(officeBudgetsApi({ budgets: h.store, now: '2027-03-10T12:00:00Z' }), {
    method: 'GET',
    route: '/labels/{labelId}/budgets/{budgetId}/ledger',
    pathParameters: { labelId: 'lbl-1', budgetId: 'bud-1' },
  });
  return (JSON.parse(answer.body ?? '{}').entries as Record<string, unknown>[]).map(
    ({ change, counted, vendor, amount, currency }) => ({ change, counted, vendor, amount, currency }),
  );
};

describe('the ledger of an invoice voided, then recorded again', () => {
  it('states on the void’s row the amount it cancelled, not the one recorded after it', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anExpense({ amount: { minor: 7_000, currency: 'EUR' } }), {
      occurredAt: '2027-03-02T10:00:00.000Z',
    });
    await h.voidExpense(
      { expenseId: 'exp-1', budgetId: 'bud-1' },
      { occurredAt: '2027-03-02T11:00:00.000Z' },
    );
    await h.expense(anExpense({ amount: { minor: 8_000, currency: 'GBP' }, vendor: 'Plug Two' }), {
      occurredAt: '2027-03-02T12:00:00.000Z',
    });

    const rows = await ledgerRows(h);

    expect(rows).toEqual([
      { change: 'recorded', counted: false, vendor: 'Airplay Partners', amount: 7_000, currency: 'EUR' },
      { change: 'voided', counted: false, vendor: 'Airplay Partners', amount: 7_000, currency: 'EUR' },
      { change: 'recorded', counted: true, vendor: 'Plug Two', amount: 8_000, currency: 'GBP' },
    ]);
  });
});

describe('the ledger of the budget an invoice was moved out of', () => {
  it('states on the move’s row the invoice that left', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    await h.expense(anExpense({ amount: { minor: 7_000, currency: 'EUR' } }), {
      occurredAt: '2027-03-02T10:00:00.000Z',
    });
    await h.amend(anExpense({ budgetId: 'bud-2', amount: { minor: 7_500, currency: 'EUR' } }), {
      occurredAt: '2027-03-02T11:00:00.000Z',
    });

    const rows = await ledgerRows(h);

    expect(rows).toEqual([
      { change: 'recorded', counted: false, vendor: 'Airplay Partners', amount: 7_000, currency: 'EUR' },
      { change: 'moved', counted: false, vendor: 'Airplay Partners', amount: 7_000, currency: 'EUR' },
    ]);
  });
});
