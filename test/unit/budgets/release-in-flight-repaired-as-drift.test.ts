import { describe, expect, it } from 'vitest';
import { counter } from '#shared/budgets/ledger.ts';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import {
  aBudget,
  anOrderReleasedFromBud3,
  budgetsHarness,
  driftStated,
} from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: the reconciliation is the safety net of releases across budgets, repairing as
// drift one a failure lost (a change no redelivery tries again). A release owed by a version that arrived
// less than Lambda's event age ago is on its way (its run, or a redelivery, makes it): the reconciliation
// leaves it. Until December 2026 an invoice voided in its own budget whose release into the order's
// budget had not run yet when the order's budget was reconciled had its release made by the
// reconciliation, as a repair, and bud-1's owner was told 500.00 EUR of commitment was repaired where the
// label's own void moved it.
describe("the order's budget reconciled between an invoice's void and that void's release of the order", () => {
  it('states no drift: the void releases the order itself', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    for (const budgetId of ['bud-1', 'bud-3']) await h.budget(aBudget({ budgetId }));
    // The video's order (500.00 EUR) in bud-1, released by the director's invoice (300.00 EUR) in bud-3.
    await anOrderReleasedFromBud3(h);
    // The label voids the director's invoice at 06:58 the next morning; bud-1's reconciliation runs (07:00)
    // right after the void is written in bud-3, before the void's release reads where the order is filed.
    const expenseFiledUnder = h.store.expenseFiledUnder.bind(h.store);
    let armed = false;
    let raced = false;
    h.store.expenseFiledUnder = async (...args: Parameters<typeof expenseFiledUnder>) => {
      if (armed && !raced && args[1] === 'po-video') {
        raced = true;
        h.setNow('2027-03-06T07:00:00.000Z');
        await h.deliver(BudgetReconciliationDue, {
          labelId: h.labelId,
          budgetId: 'bud-1',
          date: '2027-03-06',
        });
      }
      return expenseFiledUnder(...args);
    };
    armed = true;
    h.setNow('2027-03-06T06:58:00.000Z');

    await h.voidExpense(
      { expenseId: 'inv-director', budgetId: 'bud-3', reason: 'Wrong order' },
      { occurredAt: '2027-03-06T06:58:00.000Z' },
    );

    expect(raced).toBe(true);
    // The order commits its 500.00 EUR again in bud-1, as the void makes it.
    expect((await h.ledger('bud-1')).totals).toEqual({ [counter.committed('radio')]: 50_000 });
    // Moved by the label's void, not repaired: no drift stated to bud-1's owner.
    expect(driftStated(h, 'bud-1')).toEqual([]);
  });
});
