import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/budgets/handler.ts';
import {
  BudgetOwnerUnreachable,
  BudgetReconciliationDue,
  BudgetSet,
  buildDetail,
  ExpenseRecorded,
  ReconciliationDue,
} from '#shared/events/index.ts';
import { normaliseEmail } from '#shared/outlets.ts';
import * as z from '#shared/zod.ts';
import { fakeMailDeps } from '#test/support/announcer-fakes.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';
import { aBudget, anExpense } from '#test/support/budgets-harness.ts';
import { anEvent } from '#test/support/events.ts';

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
    const store = new InMemoryBudgets();
    const now = new Date('2027-03-03T07:00:00.000Z');
    const { deps: mail } = fakeMailDeps(() => now, {
      claimConcurrency: 4,
      throttleBackoffMs: 1_000,
      staleClaimMs: 15 * 60_000,
    });
    // The owner complained about a press mail: her address is suppressed for both streams.
    mail.suppressions = {
      suppressedAmong: async (emails) =>
        new Set(emails.map(normaliseEmail).filter((e) => e === 'mara@label.example')),
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

    // A consumer that knows the reasons 'bounce' and 'complaint' (the only ones its version lists)
    // must not be handed an event it cannot read: a new reason is a new contract, not version 2 of one
    // (docs/design.md#event-catalogue). The mail left out is stated as `Budget Owner Suppressed`, a
    // type of its own, and `Budget Owner Unreachable` stays at version 1 as published.
    expect(BudgetOwnerUnreachable.schemaVersion).toBe(1);
    const unreadable = store.published
      .filter((e) => e.detailType === 'Budget Owner Unreachable')
      .filter((e) => !version1.safeParse((e.detail as { data: unknown }).data).success);
    expect(unreadable).toEqual([]);
    const suppressed = store.published.filter((e) => e.detailType === 'Budget Owner Suppressed');
    expect(suppressed.map((e) => (e.detail as { data: unknown }).data)).toEqual([
      expect.objectContaining({ address: 'mara@label.example', budgetIds: ['bud-1'] }),
    ]);
  });
});
