import { describe, expect, it } from 'vitest';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/**
 * A budget alert's mail claimed and then given back, its SES call never granted the send rate before
 * the deadline: the run fails, to be retried, saying how many mails it left to send (docs/design.md#send-rate).
 */
const due = { labelId: 'lbl-1', budgetId: 'bud-1', date: '2027-03-09' };

describe('budget mail the send rate left unsent', () => {
  it('fails the run saying how many mails are left to send, the claims it gave back counted, and the retry sends them', async () => {
    const h = budgetsHarness({ now: '2027-03-09T07:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    await h.expense(anExpense({ date: '2027-03-08', amount: { minor: 55_000, currency: 'EUR' } }));
    const { acquire } = h.mail.sendRate;
    h.mail.sendRate.acquire = async () => false;

    const run = h.deliver(BudgetReconciliationDue, due);

    await expect(run).rejects.toThrow('budget mail: 1 left to send; retried');
    expect(h.deliveries.items.size).toBe(0);
    // Lambda's retry, the send rate to be had again: each alert once (the 50 % threshold's, the forecast's).
    h.mail.sendRate.acquire = acquire;
    await h.deliver(BudgetReconciliationDue, due);
    expect(
      h
        .received()
        .map((mail) => mail.kind)
        .sort(),
    ).toEqual(['forecast-over', 'threshold-crossed']);
  });
});
