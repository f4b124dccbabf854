import { describe, expect, it } from 'vitest';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import {
  aBudget,
  artistInFull,
  budgetsHarness,
  crewInvoicesOfAVoidedOrder,
} from '#test/support/budgets-harness.ts';
import { refusedOnceAfterLanding } from '#test/support/dynamo-errors.ts';

/**
 * docs/design.md#failures-and-retries: the reconciliation's repair of recoupable shares (their states with
 * the drift record and Budget Drift Repaired, one transaction) is applied and answered as refused (its
 * answer lost, the resend refused by it). Taken for another writer's, the repair was left incomplete and
 * read again, found nothing more to repair: the drift it wrote and announced was missing from the day's
 * result and from the ReconciliationDrift metric.
 */
describe('a share repair whose write landed while its answer was lost', () => {
  it('states its drift in the day result and the metric', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    await crewInvoicesOfAVoidedOrder(h, artistInFull);
    const lost = refusedOnceAfterLanding(h.store, 'writeLedger', (_label, _budget, write) => !!write.drift);
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.deliver(BudgetReconciliationDue, { labelId: h.labelId, budgetId: 'bud-1', date: '2027-03-06' });

    expect(lost()).toBe(true);
    const after = await h.store.ledger(h.labelId, 'bud-1');
    const kept = after.drift.filter((d) => d.date === '2027-03-06').flatMap((d) => d.differences);
    expect(kept).toEqual([{ total: 'unconverted USD recoupable art-1', was: 0, ledger: 50_000 }]);
    expect(after.budget?.lastResult?.drift).toEqual(kept);
    expect(h.measure.totals('ReconciliationDrift')).toEqual({ USD: 50_000 });
  });
});
