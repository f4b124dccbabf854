import { describe, expect, it } from 'vitest';
import { counter } from '#shared/budgets/ledger.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';
import { refusedOnceAfterLanding } from '#test/support/dynamo-errors.ts';

/**
 * docs/design.md#failures-and-retries: the reconciliation's repair of the running totals (the totals with
 * the drift record and Budget Drift Repaired, one transaction) is applied and answered as refused (its
 * answer lost, the resend refused by it). Taken for another writer's, the reconciliation read again, found
 * the totals equal to the ledger and nothing to repair: the drift it wrote and announced was missing from
 * the ReconciliationDrift metric.
 */
describe('a repair of the running totals whose write landed while its answer was lost', () => {
  it('states its drift in the day result and the metric', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anExpense());
    const totals = h.store.totals.get(JSON.stringify(['lbl-1', 'bud-1']));
    if (totals) totals.counters[counter.actual('radio')] += 500;
    const lost = refusedOnceAfterLanding(h.store, 'repairTotals');

    await h.reconcile('2027-03-03');

    expect(lost()).toBe(true);
    expect((await h.ledger('bud-1')).totals).toEqual({ [counter.actual('radio')]: 10_000 });
    const difference = { total: 'actual radio', was: 10_500, ledger: 10_000 };
    expect((await h.ledger('bud-1')).budget?.lastResult?.drift).toEqual([difference]);
    expect(h.measure.totals('ReconciliationDrift')).toEqual({ EUR: 500 });
  });
});
