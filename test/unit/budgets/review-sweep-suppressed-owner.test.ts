import { describe, expect, it } from 'vitest';
import { sweepBudgetMail } from '#functions/budgets/mail.ts';
import { mailSubjects } from '#shared/db/deliveries.ts';
import { defaultMailSettings } from '#shared/mail/ports.ts';
import { normaliseEmail } from '#shared/outlets.ts';
import { fakeMailDeps } from '#test/support/announcer-fakes.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';
import { aBudget } from '#test/support/budgets-harness.ts';

describe('a budget alert whose claim went stale, its owner’s address suppressed since', () => {
  it('says its owner cannot be warned by mail when the stale-claim sweep leaves the alert out', async () => {
    const clock = { now: Date.parse('2027-03-03T07:00:00Z') };
    const settings = defaultMailSettings(300);
    const { deps: mail, deliveries, mailer } = fakeMailDeps(() => new Date(clock.now), settings);
    const suppressed = new Set<string>();
    mail.suppressions = {
      suppressedAmong: async (emails) => new Set(emails.map(normaliseEmail).filter((e) => suppressed.has(e))),
    };
    const store = new InMemoryBudgets();
    await store.saveBudget({ ...aBudget(), labelId: 'lbl-1', occurredAt: '2027-03-01T00:00:00.000Z' });
    // The 50 % alert was claimed, then the budgets function crashed before SES's call (no Email Sent).
    await deliveries.claim(
      {
        labelId: 'lbl-1',
        subject: mailSubjects.budgetAlert('bud-1', 'threshold:50', '2027-03-01'),
        email: 'mara@label.example',
        kind: 'threshold-crossed',
        stream: 'operational',
        context: { budgetId: 'bud-1' },
      },
      new Date(clock.now).toISOString(),
    );
    // Meanwhile the owner complained about a press mail: her address is suppressed for both streams
    // (docs/design.md#two-mail-streams).
    suppressed.add('mara@label.example');
    clock.now += settings.staleClaimMs + 60_000;

    await sweepBudgetMail({ mail, store, now: () => new Date(clock.now), timeZone: 'UTC' });

    // The sweep rightly sends nothing to a suppressed address...
    expect(mailer.delivered).toEqual([]);
    // ...but the alert left out warns nobody: as when sendBudgetMail leaves one out
    // (docs/design.md#budgets), the owner is marked unreachable and that is stated once.
    expect((await store.getBudget('lbl-1', 'bud-1'))?.ownerUnreachable).toMatchObject({
      address: 'mara@label.example',
      reason: 'suppressed',
    });
    // (Stated as `Budget Owner Suppressed`, a type of its own: docs/design.md#event-catalogue.)
    expect(store.published.filter((e) => e.detailType === 'Budget Owner Suppressed')).toHaveLength(1);
  });
});
