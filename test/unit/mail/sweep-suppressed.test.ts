import { describe, expect, it } from 'vitest';
import { budgetResenders } from '#functions/budgets/mail.ts';
import { mailSubjects } from '#shared/db/deliveries.ts';
import { defaultMailSettings } from '#shared/mail/ports.ts';
import { sweepStaleClaims } from '#shared/mail/settle.ts';
import { FakeSuppressionList, fakeMailDeps } from '#test/support/announcer-fakes.ts';
import { aDayResult } from '#test/support/budgets.ts';

/**
 * operational mail to a suppressed address (hard bounce or complaint) must not go out, and
 * sendMails checks the suppression list before claiming it. The stale-claim sweep's resend of a
 * budget owner's report does not: an owner suppressed after the claim was made gets the resend.
 */
const day = '2027-03-01';
const owner = { name: 'Ola Owner', email: 'ola@label.example' };
const result = aDayResult({ date: day, owner, scope: { kind: 'tour', id: 'tour-1' }, changed: false });

describe('the stale-claim sweep and suppressed operational addresses', () => {
  it('does not resend a stale budget report to an owner suppressed since it was claimed', async () => {
    const clock = { now: Date.parse('2027-03-01T07:30:00Z') };
    const settings = defaultMailSettings(300);
    const { deps, deliveries, mailer } = fakeMailDeps(() => new Date(clock.now), settings);
    const suppressed = new Set<string>();
    deps.suppressions = new FakeSuppressionList(suppressed);
    // The report was claimed, then the sender crashed before SES's call (no Email Sent ever comes).
    await deliveries.claim(
      {
        labelId: 'lbl-1',
        subject: mailSubjects.ownerReport(owner.email, day),
        email: owner.email,
        kind: 'budget-report',
        stream: 'operational',
        context: { budgetIds: 'bud-1' },
      },
      new Date(clock.now).toISOString(),
    );
    // The owner's address bounces for good (an earlier alert): it is on the suppression list.
    suppressed.add(owner.email);
    clock.now += settings.staleClaimMs + 60_000;

    const store = {
      dayResults: async () => [result],
      heldReported: async () => [],
      ledger: async () => ({}),
      // The report left out marks its owner's budgets unreachable (docs/design.md#budgets): none here.
      labelBudgets: async () => [],
      markOwnerUnreachable: async () => false,
    } as never;
    for (const resender of budgetResenders({
      mail: deps,
      store,
      timeZone: 'Europe/London',
      now: () => new Date(clock.now),
    }))
      await sweepStaleClaims(deps, resender, clock.now + 60_000);

    expect(mailer.delivered.map((m) => m.email)).toEqual([]);
  });
});
