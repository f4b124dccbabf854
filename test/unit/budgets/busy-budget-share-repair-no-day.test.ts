import { describe, expect, it } from 'vitest';
import { sum } from '#shared/budgets/ledger.ts';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import {
  aBudget,
  anAdsInvoice,
  artistInFull,
  budgetsHarness,
  crewInvoicesOfAVoidedOrder,
  recordAfterStrongReads,
} from '#test/support/budgets-harness.ts';

// Reviews 66cac96 (docs/design.md#budgets): a reconciliation whose only recount is a repair of shares
// counted apart (in no running total) tried that repair on every attempt, its last one too, and an invoice
// recorded in the budget after each strong read refused each: out of attempts it threw on every delivery
// (Lambda's 1 + 2 retries) and the event was dead-lettered, the owner left no result for the day, though
// the running totals equalled the ledger throughout (it failed with undefined where '2027-03-06' is due).
// Now such a last attempt judges the day on its read; the shares wait a day.

describe('a budget the label records invoices in throughout its reconciliation, with shares to repair', () => {
  it('still has its day result once Lambda has retried the reconciliation', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    // The video's order (500.00 EUR), fifty crew invoices naming it (10.00 USD each, no rate), the order
    // voided: the reconciliation repairs their shares (counted apart, in no running total).
    await crewInvoicesOfAVoidedOrder(h, artistInFull);

    // The label's import records the ad agency's small invoices (1.00 EUR each) into bud-1 while it is
    // reconciled: one right after each strong read of its ledger.
    const recorded = recordAfterStrongReads(h, 'bud-1', Number.POSITIVE_INFINITY, anAdsInvoice);
    h.setNow('2027-03-06T07:00:00.000Z');
    const due = { labelId: h.labelId, budgetId: 'bud-1', date: '2027-03-06' };
    const meta = { eventId: 'evt-reconcile-bud-1' };
    // The delivery and Lambda's two retries (retryAttempts 2, docs/design.md#failures-and-retries).
    const failures: string[] = [];
    for (let delivery = 0; delivery < 3; delivery++)
      await h.deliver(BudgetReconciliationDue, due, meta).then(
        () => undefined,
        (error: Error) => failures.push(error.message),
      );

    // The totals equalled the ledger on every read: nothing but the shares to repair.
    const after = await h.ledger('bud-1');
    expect(recorded()).toBeGreaterThanOrEqual(3);
    expect(after.totals).toEqual(sum(...after.states.map((s) => s.contribution)));
    expect(after.budget?.lastResult?.date).toBe('2027-03-06');
    expect(failures).toEqual([]);
  });
});
