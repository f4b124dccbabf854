import { describe, expect, it } from 'vitest';
import { type BudgetRoutesDeps, budgetRoutes } from '#functions/office/budgets.ts';
import { unconvertedListed } from '#shared/budgets/ledger.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/** What PUT /fx-rates/{date}'s route doc (README, docs/openapi.json) promises. */
describe("the owner's report of expenses that need a rate (docs/design.md#money)", () => {
  it("lists the first expenses with no rate for their date in the next report and counts the rest, as PUT /fx-rates/{date}'s doc says", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    const ids = Array.from({ length: unconvertedListed + 1 }, (_, i) => `exp-${String(i).padStart(2, '0')}`);
    for (const expenseId of ids)
      await h.expense(anExpense({ expenseId, amount: { minor: 10_000, currency: 'USD' } }));
    await h.reconcile('2027-03-03');
    await h.report('2027-03-03');
    const lines = h
      .received()
      .filter((m) => m.kind === 'budget-report')
      .flatMap((m) => (m.data as { text: { unconverted: string[] } }).text.unconverted);
    const doc = budgetRoutes({} as BudgetRoutesDeps).find(
      (r) => r.method === 'PUT' && r.path === '/fx-rates/{date}',
    )?.doc?.description;

    // The day's result is one DynamoDB item: the report lists the longest waiting, counts the rest.
    expect(ids.filter((id) => !lines.some((line) => line.includes(`${id} (`)))).toEqual(['exp-20']);
    expect(lines.at(-1)).toContain('1 more not listed here');
    expect(doc).toContain(`the first ${unconvertedListed} of a budget`);
    expect(doc).not.toContain('listed in the next report');
  });
});
