import { describe, expect, it } from 'vitest';
import { BudgetSet, type ExpenseRecorded } from '#shared/events/index.ts';
import { budgetsHarness } from '#test/support/budgets-harness.ts';

const aBudget = (budgetId: string, email: string) => ({
  ...BudgetSet.sample,
  budgetId,
  period: { start: '2027-03-01', end: '2027-03-30' },
  owner: { name: email.split('@')[0], email },
  lines: [
    { lineId: 'radio', category: 'radio-plugging' as const, planned: { minor: 900_000, currency: 'EUR' } },
  ],
});
const anExpense = (overrides: Partial<typeof ExpenseRecorded.sample> = {}) => ({
  expenseId: 'exp-typo',
  budgetId: 'bud-typo',
  lineId: 'radio',
  vendor: 'Airplay Partners',
  date: '2027-03-02',
  amount: { minor: 45_000, currency: 'EUR' },
  kind: 'actual' as const,
  ...overrides,
});
const day = (n: number) => `2027-03-${String(n).padStart(2, '0')}`;
type Report = { text: { held: string[] } };

describe('an expense booked to a budget that never arrives and then voided', () => {
  it('is not reported as held 7 days later: the label cancelled it', async () => {
    const h = budgetsHarness({ now: '2027-03-02T08:00:00.000Z' });
    await h.budget(aBudget('bud-1', 'mara@label.example'));
    // The label books an invoice to a budget id it mistyped, sees it, voids it and books it again
    // under a new expense id to the right budget, the same morning.
    await h.expense(anExpense());
    await h.voidExpense({ expenseId: 'exp-typo', budgetId: 'bud-typo', reason: 'Wrong budget' });
    await h.expense(anExpense({ expenseId: 'exp-right', budgetId: 'bud-1' }));

    for (let d = 3; d <= 12; d++) {
      h.setNow(`${day(d)}T07:30:00.000Z`);
      await h.reconcile(day(d));
      await h.report(day(d));
    }

    expect(h.events('Expense Held Too Long')).toEqual([]);
    expect(
      h
        .received()
        .filter((m) => m.kind === 'budget-report')
        .flatMap((m) => (m.data as Report).text.held),
    ).toEqual([]);
  });
});
