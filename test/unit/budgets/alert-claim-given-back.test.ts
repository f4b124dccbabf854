import { describe, expect, it } from 'vitest';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import { aBudget, alertClaimedOn9March, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/**
 * The bus may deliver a budget's `Budget Reconciliation Due` twice at once. An alert's mail is marked
 * mailed only by the run that claimed it (docs/design.md#budgets): the other run finds it claimed and
 * sends nothing, and the claim may yet be given back (the claimant's SES calls throttled past its
 * deadline), so the retry of the claimant must still find the alert unmailed and send it.
 */
const alertId = 'threshold#50#2027-03-01#2027-03-30';
const due = { labelId: 'lbl-1', budgetId: 'bud-1', date: '2027-03-09' };

/** 9 March's books at 55 % of the plan, and a first run of its reconciliation that raised the 50 % alert and claimed its mail. */
async function raisedAndClaimed() {
  const h = budgetsHarness({ now: '2027-03-09T07:00:00.000Z' });
  await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
  await h.expense(anExpense({ date: '2027-03-08', amount: { minor: 55_000, currency: 'EUR' } }));
  const claim = await alertClaimedOn9March(h, 50, 55_000);
  return { h, claim };
}

describe("a budget alert whose mail another run of the day's reconciliation claimed", () => {
  it('is mailed once when that run gives its claim back and is retried', async () => {
    const { h, claim } = await raisedAndClaimed();
    // The second run, at the same time, finds the mail claimed.
    await h.deliver(BudgetReconciliationDue, due);
    // The first run's SES calls are throttled until its deadline: it gives the claim back and fails.
    await h.deliveries.release(claim.deliveryId, claim.claimedAt);
    // Lambda's retry of the first run.
    await h.deliver(BudgetReconciliationDue, due);

    const alerts = h.received().filter((m) => m.kind === 'threshold-crossed');
    expect(alerts.map((m) => (m.data as { text: { detail: string } }).text.detail)).toEqual([
      'On 2027-03-09 committed and actual spend reached 55 % of the plan.',
    ]);
  });

  it('is marked mailed by a later run once its claimant sent it and stopped before marking it', async () => {
    const { h, claim } = await raisedAndClaimed();
    // The first run's mail went out, and the run stopped before it marked the alert mailed.
    await h.deliveries.markSent(claim.deliveryId, 'ses-1', '2027-03-09T07:00:01.000Z');
    await h.deliver(BudgetReconciliationDue, due);

    expect(h.store.alerts.get(JSON.stringify(['lbl-1', 'bud-1', alertId]))?.mailed).toBe(true);
    expect(h.received().filter((m) => m.kind === 'threshold-crossed')).toEqual([]);
  });
});
