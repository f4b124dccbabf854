import { describe, expect, it } from 'vitest';
import { callApi } from '#test/support/api.ts';
import { officeBudgetsApi } from '#test/support/budgets.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// A manager sums the ledger CSV's amounts in the budget's currency to check the budget's view: a purchase
// order an invoice settles must not count beside its invoice (docs/design.md#budgets).
const get = async (h: ReturnType<typeof budgetsHarness>, route: string, accept?: string): Promise<string> => {
  const answer = await callApi(officeBudgetsApi({ budgets: h.store, now: '2027-03-10T12:00:00Z' }), {
    method: 'GET',
    route,
    pathParameters: { labelId: 'lbl-1', budgetId: 'bud-1' },
    headers: accept ? { accept } : {},
  });
  return answer.body ?? '';
};

/** The CSV's rows as records by column (no cell here holds a comma or a quote). */
const rowsOf = (csv: string) => {
  const [header, ...lines] = csv
    .trim()
    .split('\r\n')
    .map((line) => line.split(','));
  return lines.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i]])));
};

describe('the ledger CSV of a budget whose purchase orders invoices settle', () => {
  it('sums, kind by kind, to the committed and actual the budget’s view states', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.store.putRates('2027-03-02', { 'GBP/EUR': '1.2' }, '2027-03-02T00:00:00.000Z');
    // po-1 (200.00 EUR) settled by inv-1 (190.00 EUR); po-2 (100.00 GBP) settled by inv-2 (90.00 GBP);
    // po-3 (50.00 EUR) still open; exp-4 amended from 70.00 to 80.00 EUR.
    await h.expense(
      anExpense({ expenseId: 'po-1', kind: 'commitment', amount: { minor: 20_000, currency: 'EUR' } }),
    );
    await h.expense(
      anExpense({ expenseId: 'inv-1', settles: 'po-1', amount: { minor: 19_000, currency: 'EUR' } }),
    );
    await h.expense(
      anExpense({ expenseId: 'po-2', kind: 'commitment', amount: { minor: 10_000, currency: 'GBP' } }),
    );
    await h.expense(
      anExpense({ expenseId: 'inv-2', settles: 'po-2', amount: { minor: 9_000, currency: 'GBP' } }),
    );
    await h.expense(
      anExpense({ expenseId: 'po-3', kind: 'commitment', amount: { minor: 5_000, currency: 'EUR' } }),
    );
    await h.expense(
      anExpense({ expenseId: 'exp-4', lineId: 'ads', amount: { minor: 7_000, currency: 'EUR' } }),
      {
        occurredAt: '2027-03-02T10:00:00.000Z',
      },
    );
    await h.amend(
      anExpense({ expenseId: 'exp-4', lineId: 'ads', amount: { minor: 8_000, currency: 'EUR' } }),
      {
        occurredAt: '2027-03-02T11:00:00.000Z',
      },
    );

    const view = JSON.parse(await get(h, '/labels/{labelId}/budgets/{budgetId}'));
    const rows = rowsOf(await get(h, '/labels/{labelId}/budgets/{budgetId}/ledger', 'text/csv'));
    const sum = (kind: string) =>
      rows
        .filter((row) => row.kind === kind)
        .reduce((total, row) => total + Number(row.amountInBudgetCurrency || 0), 0);

    // 190.00 + 108.00 (90.00 GBP at 1.2) + 80.00 actual; 50.00 committed.
    expect(view.totals).toMatchObject({ committed: 5_000, actual: 37_800 });
    expect({ committed: sum('commitment'), actual: sum('actual') }).toEqual({
      committed: view.totals.committed,
      actual: view.totals.actual,
    });
    // The settled orders are still listed, in force, their amount in their own currency.
    expect(rows.filter((row) => row.expenseId === 'po-1' || row.expenseId === 'po-2')).toEqual([
      expect.objectContaining({ counted: 'true', amount: '20000', amountInBudgetCurrency: '' }),
      expect.objectContaining({ counted: 'true', amount: '10000', amountInBudgetCurrency: '' }),
    ]);
  });

  it('sums its VAT, in the budget’s currency, to the VAT the budget’s view states', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.store.putRates('2027-03-02', { 'GBP/EUR': '1.2' }, '2027-03-02T00:00:00.000Z');
    const vat = (minor: number, currency = 'EUR') => ({ minor, currency });
    // inv-1: 38.00 EUR of VAT; inv-2: 18.00 GBP at 1.2; exp-3 amended from 10.00 to 12.00 EUR of VAT.
    await h.expense(anExpense({ expenseId: 'inv-1', amount: vat(19_000), vat: vat(3_800) }));
    await h.expense(anExpense({ expenseId: 'inv-2', amount: vat(9_000, 'GBP'), vat: vat(1_800, 'GBP') }));
    await h.expense(anExpense({ expenseId: 'exp-3', amount: vat(5_000), vat: vat(1_000) }), {
      occurredAt: '2027-03-02T10:00:00.000Z',
    });
    await h.amend(anExpense({ expenseId: 'exp-3', amount: vat(5_000), vat: vat(1_200) }), {
      occurredAt: '2027-03-02T11:00:00.000Z',
    });

    const view = JSON.parse(await get(h, '/labels/{labelId}/budgets/{budgetId}'));
    const rows = rowsOf(await get(h, '/labels/{labelId}/budgets/{budgetId}/ledger', 'text/csv'));

    expect(view.totals.vat).toBe(3_800 + 2_160 + 1_200);
    expect(rows.reduce((total, row) => total + Number(row.vatInBudgetCurrency || 0), 0)).toBe(
      view.totals.vat,
    );
  });
});
