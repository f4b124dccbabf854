import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/budgets/handler.ts';
import {
  BudgetReconciliationDue,
  BudgetSet,
  buildDetail,
  ExpenseRecorded,
  ReconciliationDue,
} from '#shared/events/index.ts';
import { normaliseEmail } from '#shared/outlets.ts';
import { fakeMailDeps } from '#test/support/announcer-fakes.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';
import { aBudget, anExpense } from '#test/support/budgets-harness.ts';
import { anEvent } from '#test/support/events.ts';

describe('a budget whose owner’s address is suppressed', () => {
  it('says its owner cannot be warned by mail when an alert is not sent because the address is suppressed', async () => {
    const store = new InMemoryBudgets();
    const now = new Date('2027-03-03T07:00:00.000Z');
    const { deps: mail, mailer } = fakeMailDeps(() => now, {
      claimConcurrency: 4,
      throttleBackoffMs: 1_000,
      staleClaimMs: 15 * 60_000,
    });
    // The owner complained about a press mail (campaign stream): the address is suppressed for both
    // streams (docs/design.md#two-mail-streams), so no budget alert can reach her any more.
    const suppressed = new Set(['mara@label.example']);
    mail.suppressions = {
      suppressedAmong: async (emails) => new Set(emails.map(normaliseEmail).filter((e) => suppressed.has(e))),
    };
    const handle = makeHandler({ store, mail, now: () => now, timeZone: 'UTC' });
    let sequence = 0;
    const deliver = async (contract: Parameters<typeof buildDetail>[0], data: unknown, occurredAt: string) =>
      handle(
        anEvent(
          contract,
          buildDetail(contract, data as never, {
            labelId: 'lbl-1',
            eventId: `evt-${++sequence}`,
            occurredAt,
          }),
        ),
        {} as Context,
      );

    await deliver(BudgetSet, aBudget(), '2027-03-01T00:00:00.000Z');
    // 85 % of the plan: the 50 % and 80 % alerts are due.
    await deliver(
      ExpenseRecorded,
      anExpense({ amount: { minor: 85_000, currency: 'EUR' } }),
      '2027-03-02T10:00:00.000Z',
    );
    await deliver(ReconciliationDue, { date: '2027-03-03' }, '2027-03-03T07:00:00.000Z');
    for (const entry of store.published.filter((e) => e.detailType === BudgetReconciliationDue.detailType))
      await handle(
        { 'detail-type': entry.detailType, source: entry.source, detail: entry.detail } as never,
        {} as Context,
      );

    // No alert reached her: the suppression held them back, as it should.
    expect(mailer.delivered).toEqual([]);
    expect(store.published.filter((e) => e.detailType === 'Budget Threshold Crossed')).toHaveLength(2);
    // But the budget still says its owner is reachable, and nobody is told that she was not warned.
    expect((await store.getBudget('lbl-1', 'bud-1'))?.ownerUnreachable).toMatchObject({
      address: 'mara@label.example',
    });
  });
});
