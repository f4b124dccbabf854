import { describe, expect, it } from 'vitest';
import { counter, sum } from '#shared/budgets/ledger.ts';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import {
  aBudget,
  anAdsInvoice,
  anExpense,
  artistInFull,
  budgetsHarness,
  crewInvoicesOfAVoidedOrder,
  recordAfterStrongReads,
} from '#test/support/budgets-harness.ts';

// Reviews f7f5bd3. docs/design.md#budgets: the running totals always equal the ledger; the
// reconciliation's repair of its own budget's shares now holds its read's totals revision, which every
// ledger write moves, so any invoice the label records in the budget while it runs refuses that repair,
// and the reconciliation reads again (before, only a change of the states it wrote did). Two such
// invoices, and its last attempt (of 4) skips the recount: it then sets the running totals to the
// figures it counted with the day's new GBP rate while the GBP invoice's state is still stored
// unconverted, so the totals no longer equal the ledger (the GBP invoice counted in the radio line's
// actual and, once recounted, counted there again), and the owner is told drift there was none. Now every
// attempt counts again before it judges drift, and one out of attempts fails the invocation (retried).

describe('a budget whose share repair two invoices refuse, with a rate to count in the same reconciliation', () => {
  it('keeps its running totals equal to its ledger', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    // The video's order (500.00 EUR) and fifty of the crew's invoices naming it (10.00 USD each, no rate
    // yet), the order voided: more invoices name it than its write counts again, so the reconciliation
    // repairs their shares.
    await crewInvoicesOfAVoidedOrder(h, artistInFull);
    // The London plugger's invoice (100.00 GBP of 3 March, no rate yet), and the manager's GBP rate of that
    // day, put before the reconciliation: it is to count 120.00 EUR on the radio line.
    await h.expense(
      anExpense({
        expenseId: 'inv-london',
        date: '2027-03-03',
        amount: { minor: 10_000, currency: 'GBP' },
      }),
    );
    await h.store.putRates('2027-03-03', { 'GBP/EUR': '1.2' }, '2027-03-05T09:00:00.000Z');

    // Right after each of its first two strong reads of bud-1, the label records a small invoice there
    // (the ad agency's, 1.00 EUR each): each refuses the share repair read before it.
    const recorded = recordAfterStrongReads(h, 'bud-1', 2, anAdsInvoice);
    h.setNow('2027-03-06T07:00:00.000Z');
    const due = { labelId: h.labelId, budgetId: 'bud-1', date: '2027-03-06' };
    const meta = { eventId: 'evt-reconcile-bud-1' };
    const failed = await h.deliver(BudgetReconciliationDue, due, meta).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(recorded()).toBe(2);

    const after = await h.ledger('bud-1');
    expect(after.totals).toEqual(sum(...after.states.map((s) => s.contribution)));
    // Each of its 4 attempts wrote or was refused (the last repaired the shares and counted the GBP invoice
    // at 1.2): out of attempts, the invocation fails, and Lambda's retry of the event concludes the day.
    expect(failed).toBe('budget bud-1: its ledger kept changing while reconciled');
    await h.deliver(BudgetReconciliationDue, due, meta);
    const retried = await h.ledger('bud-1');
    expect(retried.totals).toEqual(sum(...retried.states.map((s) => s.contribution)));
    expect(retried.states.find((s) => s.expenseId === 'inv-london')?.contribution).toEqual({
      [counter.actual('radio')]: 12_000,
    });
    expect(retried.budget?.lastResult?.date).toBe('2027-03-06');
  });
});
