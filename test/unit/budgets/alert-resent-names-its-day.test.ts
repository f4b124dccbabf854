import { describe, expect, it } from 'vitest';
import { OutboxSweepDue } from '#shared/events/index.ts';
import { aBudget, alertClaimedOn9March, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/**
 * A budget alert whose claim went stale (the function stopped between claiming it and SES's answer) is
 * written again by the outbox sweep (docs/design.md#budgets): it names the day of the reconciliation that
 * raised it, as the first would have, not the budget's last reconciled day.
 */
describe('a budget alert the stale-claim sweep sends again', () => {
  it("names the day of the reconciliation that raised it, when that day's result was never kept", async () => {
    const h = budgetsHarness({ now: '2027-03-08T07:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    await h.reconcile('2027-03-08');
    await h.expense(anExpense({ date: '2027-03-08', amount: { minor: 85_000, currency: 'EUR' } }), {
      occurredAt: '2027-03-08T15:00:00.000Z',
    });
    // 9 March's reconciliation raised the 50 % alert and claimed its mail, then stopped before SES's
    // answer; its retries failed too (dead-lettered), so no result of the 9th was kept.
    h.setNow('2027-03-09T07:00:00.000Z');
    await alertClaimedOn9March(h, 50, 85_000);

    h.setNow('2027-03-09T09:00:00.000Z');
    await h.deliver(OutboxSweepDue, {});

    const resent = h.received().filter((m) => m.kind === 'threshold-crossed');
    expect(resent.map((m) => (m.data as { text: { detail: string } }).text.detail)).toEqual([
      'On 2027-03-09 committed and actual spend reached 85 % of the plan.',
    ]);
  });
});
