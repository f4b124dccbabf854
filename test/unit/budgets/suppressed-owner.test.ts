import { describe, expect, it } from 'vitest';
import { sweepBudgetMail } from '#functions/budgets/mail.ts';
import { mailSubjects } from '#shared/db/deliveries.ts';
import { BudgetOwnerUnreachable, BudgetReconciliationDue, BudgetSet } from '#shared/events/index.ts';
import { defaultMailSettings } from '#shared/mail/ports.ts';
import * as z from '#shared/zod.ts';
import { FakeSuppressionList, fakeMailDeps } from '#test/support/announcer-fakes.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: a budget alert left out because its owner's address is suppressed warns
// nobody, so the owner is marked unreachable and that is stated once, as `Budget Owner Suppressed`
// (docs/design.md#event-catalogue). The owner here complained about a press mail (campaign stream):
// her address is suppressed for both streams (docs/design.md#two-mail-streams).

const owner = 'mara@label.example';

/** The owner's address suppressed, her budget at 85 % of its plan (the 50 % and 80 % alerts due), reconciled. */
const reconciledWithOwnerSuppressed = async () => {
  const h = budgetsHarness({ now: '2027-03-03T07:00:00.000Z' });
  h.mail.suppressions = new FakeSuppressionList(new Set([owner]));
  await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
  await h.expense(anExpense({ amount: { minor: 85_000, currency: 'EUR' } }), {
    occurredAt: '2027-03-02T10:00:00.000Z',
  });
  await h.reconcile('2027-03-03');
  return h;
};

describe('a budget whose owner’s address is suppressed', () => {
  it('says its owner cannot be warned by mail when an alert is not sent because the address is suppressed', async () => {
    const h = await reconciledWithOwnerSuppressed();

    // No alert reached her: the suppression held them back, as it should.
    expect(h.mailer.delivered).toEqual([]);
    expect(h.events('Budget Threshold Crossed')).toHaveLength(2);
    // And the budget says its owner cannot be warned, rather than that she is reachable.
    expect((await h.store.getBudget('lbl-1', 'bud-1'))?.ownerUnreachable).toMatchObject({
      address: owner,
    });
  });
});

/**
 * `Budget Owner Unreachable` as the catalogue published it at schemaVersion 1 (docs/events.schema.json
 * before December 2026), which outside consumers of the bus validate against.
 */
const version1 = z.object({
  labelId: z.string().check(z.minLength(1)),
  address: z.string().check(z.minLength(3)),
  reason: z.enum(['bounce', 'complaint']),
  detail: z.optional(z.string()),
  deliveryId: z.string().check(z.minLength(1)),
  kind: z.string().check(z.minLength(1)),
  budgetIds: z.array(z.string().check(z.minLength(1))),
});

describe('an outside consumer of Budget Owner Unreachable written for its first version', () => {
  it('still reads the event stated when a budget alert is left out because the address is suppressed', async () => {
    const h = await reconciledWithOwnerSuppressed();

    // A consumer that knows the reasons 'bounce' and 'complaint' (the only ones its version lists)
    // must not be handed an event it cannot read: a new reason is a new contract, not version 2 of one
    // (docs/design.md#event-catalogue). The mail left out is stated as `Budget Owner Suppressed`, a
    // type of its own, and `Budget Owner Unreachable` stays at version 1 as published.
    expect(BudgetOwnerUnreachable.schemaVersion).toBe(1);
    const unreadable = h
      .events('Budget Owner Unreachable')
      .filter((e) => !version1.safeParse((e.detail as { data: unknown }).data).success);
    expect(unreadable).toEqual([]);
    const suppressed = h.events('Budget Owner Suppressed');
    expect(suppressed.map((e) => (e.detail as { data: unknown }).data)).toEqual([
      expect.objectContaining({ address: owner, budgetIds: ['bud-1'] }),
    ]);
  });
});

const marasBudget = (budgetId: string) => ({
  ...BudgetSet.sample,
  budgetId,
  owner: { name: 'Mara Quinn', email: owner },
  period: { start: '2027-03-01', end: '2027-03-30' },
});

describe('two budgets of one owner whose address is suppressed, reconciled at once', () => {
  it('says once that the owner cannot be warned, when both budgets’ alerts are left out at the same moment', async () => {
    const h = budgetsHarness({ now: '2027-03-02T08:00:00.000Z' });
    h.mail.suppressions = new FakeSuppressionList(new Set([owner]));
    for (const budgetId of ['bud-1', 'bud-2']) {
      await h.budget(marasBudget(budgetId), '2027-03-01T00:00:00.000Z');
      const line = (await h.store.getBudget('lbl-1', budgetId))!.lines[0];
      await h.expense({
        expenseId: `exp-${budgetId}`,
        budgetId,
        lineId: line.lineId,
        vendor: 'Airplay Partners',
        date: '2027-03-02',
        amount: { ...line.planned, minor: line.planned.minor * 2 },
        kind: 'actual',
      });
    }

    // The day's fan-out gives each budget its own event; the bus runs them side by side.
    h.setNow('2027-03-03T07:00:00.000Z');
    await Promise.all(
      ['bud-1', 'bud-2'].map((budgetId) =>
        h.deliver(BudgetReconciliationDue, { labelId: 'lbl-1', budgetId, date: '2027-03-03' }),
      ),
    );

    expect(h.received()).toEqual([]);
    // docs/design.md#budgets: stated once while the mark stands, for every budget she holds.
    // (Stated as `Budget Owner Suppressed`: docs/design.md#event-catalogue.)
    expect(h.events('Budget Owner Unreachable')).toEqual([]);
    expect(h.events('Budget Owner Suppressed').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({ budgetIds: ['bud-1', 'bud-2'] }),
    ]);
  });
});

describe('a budget alert whose claim went stale, its owner’s address suppressed since', () => {
  it('says its owner cannot be warned by mail when the stale-claim sweep leaves the alert out', async () => {
    const clock = { now: Date.parse('2027-03-03T07:00:00Z') };
    const settings = defaultMailSettings(300);
    const { deps: mail, deliveries, mailer } = fakeMailDeps(() => new Date(clock.now), settings);
    const suppressed = new Set<string>();
    mail.suppressions = new FakeSuppressionList(suppressed);
    const store = new InMemoryBudgets();
    await store.saveBudget({ ...aBudget(), labelId: 'lbl-1', occurredAt: '2027-03-01T00:00:00.000Z' });
    // The 50 % alert was claimed, then the budgets function crashed before SES's call (no Email Sent).
    await deliveries.claim(
      {
        labelId: 'lbl-1',
        subject: mailSubjects.budgetAlert('bud-1', 'threshold:50', '2027-03-01'),
        email: owner,
        kind: 'threshold-crossed',
        stream: 'operational',
        context: { budgetId: 'bud-1' },
      },
      new Date(clock.now).toISOString(),
    );
    // Meanwhile the owner complained about a press mail: her address is suppressed since.
    suppressed.add(owner);
    clock.now += settings.staleClaimMs + 60_000;

    await sweepBudgetMail({ mail, store, now: () => new Date(clock.now), timeZone: 'UTC' });

    // The sweep rightly sends nothing to a suppressed address...
    expect(mailer.delivered).toEqual([]);
    // ...but the alert left out warns nobody: as when sendBudgetMail leaves one out
    // (docs/design.md#budgets), the owner is marked unreachable and that is stated once.
    expect((await store.getBudget('lbl-1', 'bud-1'))?.ownerUnreachable).toMatchObject({
      address: owner,
      reason: 'suppressed',
    });
    // (Stated as `Budget Owner Suppressed`, a type of its own: docs/design.md#event-catalogue.)
    expect(store.published.filter((e) => e.detailType === 'Budget Owner Suppressed')).toHaveLength(1);
  });
});

describe('a budget alert left out while its owner’s suppression is lifted during the send', () => {
  it('marks the owner unreachable for the alert the send left out, reading the suppression list no second time', async () => {
    const h = budgetsHarness({ now: '2027-03-03T07:00:00.000Z' });
    // The list says she is suppressed when the first alert's send asks, and is lifted right after: a
    // second read of the list would say she is reachable, and hide the alert the send left out.
    const asked: string[][] = [];
    const list = new FakeSuppressionList(new Set([owner]));
    h.mail.suppressions = {
      suppressedAmong: async (emails) => {
        asked.push([...emails]);
        const answer = await list.suppressedAmong(emails);
        list.suppressed.clear();
        return answer;
      },
      optedOutAmong: (emails) => list.optedOutAmong(emails),
    };
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    await h.expense(anExpense({ amount: { minor: 85_000, currency: 'EUR' } }), {
      occurredAt: '2027-03-02T10:00:00.000Z',
    });

    await h.reconcile('2027-03-03');

    // The first alert mailed (the day's warning, at 80 %, stating 50 %) was left out; the others (the
    // forecast's, the line's) went out once she was reachable again.
    expect(h.mailer.delivered).toHaveLength(2);
    expect((await h.store.getBudget('lbl-1', 'bud-1'))?.ownerUnreachable).toMatchObject({
      address: owner,
      reason: 'suppressed',
      kind: 'threshold-crossed',
    });
    expect(h.events('Budget Owner Suppressed')).toHaveLength(1);
    // Each alert's send read the list once, and nothing read it again after the send.
    expect(asked).toHaveLength(3);
  });
});
