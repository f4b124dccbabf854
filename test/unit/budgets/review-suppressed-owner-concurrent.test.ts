import { describe, expect, it } from 'vitest';
import { BudgetReconciliationDue, BudgetSet } from '#shared/events/index.ts';
import { budgetsHarness } from '#test/support/budgets-harness.ts';

const aBudget = (budgetId: string) => ({
  ...BudgetSet.sample,
  budgetId,
  owner: { name: 'Mara Quinn', email: 'mara@label.example' },
  period: { start: '2027-03-01', end: '2027-03-30' },
});

describe('two budgets of one owner whose address is suppressed, reconciled at once', () => {
  it('says once that the owner cannot be warned, when both budgets’ alerts are left out at the same moment', async () => {
    const h = budgetsHarness({ now: '2027-03-02T08:00:00.000Z' });
    // A complaint on press mail suppressed her address for both streams (docs/design.md#two-mail-streams).
    h.mail.suppressions = {
      suppressedAmong: async (emails) =>
        new Set(emails.map((e) => e.trim().toLowerCase()).filter((e) => e === 'mara@label.example')),
    };
    for (const budgetId of ['bud-1', 'bud-2']) {
      await h.budget(aBudget(budgetId), '2027-03-01T00:00:00.000Z');
      const line = (await h.store.getBudget('lbl-1', budgetId))!.lines[0];
      await h.expense({
        expenseId: `exp-${budgetId}`,
        budgetId,
        lineId: line.lineId,
        vendor: 'Airplay Partners',
        date: '2027-03-02',
        amount: { ...line.planned, minor: line.planned.minor * 2 },
        kind: 'actual',
      });
    }

    // The day's fan-out gives each budget its own event; the bus runs them side by side.
    h.setNow('2027-03-03T07:00:00.000Z');
    await Promise.all(
      ['bud-1', 'bud-2'].map((budgetId) =>
        h.deliver(BudgetReconciliationDue, { labelId: 'lbl-1', budgetId, date: '2027-03-03' }),
      ),
    );

    expect(h.received()).toEqual([]);
    // docs/design.md#budgets: stated once while the mark stands, for every budget she holds.
    // (Stated as `Budget Owner Suppressed`: docs/design.md#event-catalogue.)
    expect(h.events('Budget Owner Unreachable')).toEqual([]);
    expect(h.events('Budget Owner Suppressed').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({ budgetIds: ['bud-1', 'bud-2'] }),
    ]);
  });
});
