import { describe, expect, it } from 'vitest';
import type { BudgetView } from '#functions/office/budgets.ts';
import { budgetStatusText } from '#infra/cli/backline.ts';
import { callApi } from '#test/support/api.ts';
import { officeBudgetsApi } from '#test/support/budgets.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

describe('backline budget status', () => {
  it("dates a threshold crossed on the manager's day, as the alert mail and the console do, not UTC's", async () => {
    // Tokyo: the reconciliation of 2 March runs at 07:00 there, 22:00 UTC on 1 March.
    const timeZone = 'Asia/Tokyo';
    const h = budgetsHarness({ timeZone, now: '2027-03-01T22:00:00.000Z' });
    await h.budget(aBudget());
    await h.expense(anExpense({ amount: { minor: 85_000, currency: 'EUR' } }));
    await h.reconcile('2027-03-02');
    const office = officeBudgetsApi({ budgets: h.store, now: '2027-03-01T22:05:00Z', timeZone });

    const answer = await callApi(office, {
      method: 'GET',
      route: '/labels/{labelId}/budgets/{budgetId}',
      pathParameters: { labelId: 'lbl-1', budgetId: 'bud-1' },
    });
    const mail = h.received().filter((m) => m.kind === 'threshold-crossed');

    // 850.00 of 1,000.00 EUR: the 50 % and 80 % alerts, the day's one warning (at 80 %) mailed as of 2 March.
    expect(mail.map((m) => (m.data as { text: { detail: string } }).text.detail)).toEqual([
      expect.stringContaining('On 2027-03-02'),
    ]);
    expect(budgetStatusText(JSON.parse(answer.body ?? '{}') as BudgetView)).toContain(
      'crossed: 50 % on 2027-03-02, 80 % on 2027-03-02',
    );
  });
});
