import { describe, expect, it } from 'vitest';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import { aBudget, anExpense, budgetsHarness, throttleFirstRelease } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: a release the reconciliation repairs pushes the home's word into each other
// budget's state that keeps one, so that "a budget keeping the word that is reconciled before another
// budget's reconciliation repairs the release (bud-2, the crew's invoice, before bud-3, the director's,
// whose lost release into bud-1 it repairs) has it that day, not at its next reconciliation"; a handler
// that throws gets Lambda's retries (docs/design.md#failures-and-retries), and a retry changes nothing
// twice but does what its first attempt left undone.
const artist = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };

describe("a release repaired by bud-3's reconciliation whose push of the order's word to bud-2 was throttled, and retried", () => {
  it("gives the crew's unconverted 220.00 USD its recoupable share that day, as the first attempt would have", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    // The video's order (500.00 EUR) in bud-1; the director's invoice (300.00 EUR) settling it booked to
    // bud-3, not set yet; the crew's invoice (220.00 USD, no rate yet) in bud-2 names the order.
    await h.expense(
      anExpense({
        expenseId: 'po-video',
        kind: 'commitment',
        amount: { minor: 50_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    await h.expense(
      anExpense({
        expenseId: 'inv-director',
        budgetId: 'bud-3',
        settles: 'po-video',
        amount: { minor: 30_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    await h.expense(
      anExpense({
        expenseId: 'inv-crew',
        budgetId: 'bud-2',
        settles: 'po-video',
        date: '2027-03-04',
        amount: { minor: 22_000, currency: 'USD' },
        recoupable: artist,
      }),
    );
    // bud-3 is set; the release into bud-1 is throttled and lost, for the reconciliation to repair.
    throttleFirstRelease(h);
    const occurredAt = '2027-03-05T09:00:00.000Z';
    await expect(h.budget(aBudget({ budgetId: 'bud-3' }), occurredAt)).rejects.toThrow();
    await h.budget(aBudget({ budgetId: 'bud-3' }), occurredAt);

    // The day's run (bud-1, bud-2, then bud-3): bud-3's reconciliation repairs the release in bud-1, and
    // its push of the order's word into bud-2 is throttled past the SDK's retries: the handler throws...
    h.setNow('2027-03-06T07:00:00.000Z');
    const writeLedger = h.store.writeLedger.bind(h.store);
    let pushThrottled = false;
    h.store.writeLedger = async (labelId, budgetId, write) => {
      // The push of a repair into bud-2 (the order's word, with the shares it changes as drift), once.
      if (!pushThrottled && budgetId === 'bud-2' && write.drift && (write.checks?.length ?? 0) > 0) {
        pushThrottled = true;
        throw new Error('ProvisionedThroughputExceededException');
      }
      return writeLedger(labelId, budgetId, write);
    };
    await expect(h.reconcile('2027-03-06')).rejects.toThrow('ProvisionedThroughputExceededException');
    expect(pushThrottled).toBe(true);
    // ...and Lambda delivers bud-3's Budget Reconciliation Due again.
    await h.deliver(BudgetReconciliationDue, { labelId: h.labelId, budgetId: 'bud-3', date: '2027-03-06' });

    expect(
      (await h.ledger('bud-1')).states.find((s) => s.expenseId === 'po-video')?.settledElsewhere,
    ).toEqual(['inv-director']);
    // The order holds no share any more: the director's 300.00 EUR and the crew's 220.00 USD are the
    // artist's recoupable spend after the day's run, as without the throttle.
    expect(
      (await h.store.recoupable(h.labelId, 'art-1')).map((share) => ({ [share.expenseId]: share.amount })),
    ).toEqual(
      expect.arrayContaining([
        { 'inv-director': { minor: 30_000, currency: 'EUR' } },
        { 'inv-crew': { minor: 22_000, currency: 'USD' } },
      ]),
    );
  });
});
