import { describe, expect, it } from 'vitest';
import { callApi } from '#test/support/api.ts';
import { officeBudgetsApi } from '#test/support/budgets.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// The ledger answers CSV to an Accept that prefers it, as RFC 9110 12.5.1 weighs it; q=0 is "not acceptable".
describe('the ledger’s answer to the request’s Accept', () => {
  it.each([
    ['text/csv', 'text/csv; charset=utf-8'],
    ['text/csv;q=0', 'application/json'],
    ['text/csv;q=0.2, application/json;q=0.9', 'application/json'],
  ])('answers Accept: %s with %s', async (accept, contentType) => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anExpense({ expenseId: 'exp-1' }));

    const answer = await callApi(officeBudgetsApi({ budgets: h.store, now: '2027-03-10T12:00:00Z' }), {
      method: 'GET',
      route: '/labels/{labelId}/budgets/{budgetId}/ledger',
      pathParameters: { labelId: 'lbl-1', budgetId: 'bud-1' },
      headers: { accept },
    });

    expect(answer.status).toBe(200);
    expect(answer.headers?.['content-type']).toBe(contentType);
  });
});
