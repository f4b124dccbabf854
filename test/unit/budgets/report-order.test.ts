import { describe, expect, it } from 'vitest';
import { reportMail } from '#functions/budgets/mail.ts';
import { callApi } from '#test/support/api.ts';
import { aDayResult, officeBudgetsApi } from '#test/support/budgets.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// Every list Backline answers is ordered by code units (`byParts`, the API's paging order): the owner's
// report and the day's result list in that order too, not a locale's collation (docs/design.md#budgets).
// Ids differing in case tell the two apart: by code units 'Exp-c' comes before 'exp-a', by collation after.
describe('the orders the owner’s report and the day’s result list in', () => {
  it('lists the expenses that need a rate of one date by expense id as the budget’s view pages them', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    for (const expenseId of ['exp-b', 'Exp-c', 'exp-a'])
      await h.expense(anExpense({ expenseId, amount: { minor: 5_000, currency: 'USD' } }));
    await h.reconcile('2027-03-03');

    const answer = await callApi(officeBudgetsApi({ budgets: h.store, now: '2027-03-03T12:00:00Z' }), {
      method: 'GET',
      route: '/labels/{labelId}/budgets/{budgetId}/unconverted',
      pathParameters: { labelId: 'lbl-1', budgetId: 'bud-1' },
    });
    const page = JSON.parse(answer.body ?? '{}');
    const [day] = await h.store.dayResults('2027-03-03', 'lbl-1', 'mara@label.example');

    expect(page.unconverted.map((u: { expenseId: string }) => u.expenseId)).toEqual([
      'Exp-c',
      'exp-a',
      'exp-b',
    ]);
    expect(day.unconverted.first.map((u) => u.expenseId)).toEqual(['Exp-c', 'exp-a', 'exp-b']);
  });

  it('lists budgets and held expenses by id in code units', () => {
    const mail = reportMail(
      'lbl-1',
      '2027-03-03',
      ['bud-b', 'Bud-c', 'bud-a'].map((budgetId) => aDayResult({ budgetId, date: '2027-03-03' })),
      ['exp-b', 'Exp-c', 'exp-a'].map((expenseId) => ({
        labelId: 'lbl-1',
        budgetId: 'bud-9',
        expenseId,
        firstSeenAt: '2027-02-20T10:00:00.000Z',
      })),
      'UTC',
    );
    const data = mail.data as { text: { rows: { budgetId: string }[]; held: string[] } };

    expect(data.text.rows.map((r) => r.budgetId)).toEqual(['Bud-c', 'bud-a', 'bud-b']);
    expect(data.text.held.map((line) => line.split(' ')[0])).toEqual(['Exp-c', 'exp-a', 'exp-b']);
  });
});
