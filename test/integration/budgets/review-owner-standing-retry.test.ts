import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { type BudgetStore, dynamoBudgets } from '#shared/db/budgets.ts';
import { outboxKey } from '#shared/db/outbox.ts';
import { BudgetOwnerSuppressed, outboxEntry } from '#shared/events/index.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';
import { aBudget } from '#test/support/budgets-harness.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';

// docs/design.md#budgets: `Budget Owner Suppressed` is stated once per owner while the mark stands.
// "The standing ends when none of the budgets it named is still the address's with a mark of the
// address on it (a new owner set on each)"; a retry of a mail is kept once. A mark the standing stands
// on may be another left-out mail's: one that won a budget's mark first, before the statement.

const table = aTableOfItsOwn('backline-review-budgets-retry');
const stores: [string, () => BudgetStore, (store: BudgetStore, eventId: string) => Promise<boolean>][] = [
  [
    'in memory',
    () => new InMemoryBudgets(),
    async (store, eventId) => (store as InMemoryBudgets).published.some((e) => e.eventId === eventId),
  ],
  [
    'DynamoDB',
    () => dynamoBudgets(documentClient(), table.name),
    async (_store, eventId) =>
      (
        await documentClient().send(
          new GetCommand({ TableName: table.name, Key: outboxKey(eventId), ConsistentRead: true }),
        )
      ).Item !== undefined,
  ],
];

const mara = { name: 'Mara Quinn', email: 'mara@label.example' };
const ivo = { name: 'Ivo Brandt', email: 'ivo@label.example' };
const leftOut = (address: string, deliveryId: string, at: string) => ({
  address,
  reason: 'suppressed' as const,
  detail: 'the address is suppressed after a bounce or a complaint',
  deliveryId,
  kind: 'threshold-crossed',
  at,
});
const entry = (address: string, deliveryId: string) =>
  outboxEntry(
    BudgetOwnerSuppressed,
    { ...BudgetOwnerSuppressed.sample, address, deliveryId },
    { source: 'backline.budgets' },
  );

for (const [name, makeStore, inOutbox] of stores)
  describe(`an owner's standing that stands on another left-out mail's mark, when that mail is retried (${name})`, () => {
    it('does not state Mara unreachable a second time: bud-2 is still hers and marked for her', async () => {
      const store = makeStore();
      const labelId = uniqueId('lbl');
      const give = (budgetId: string, owner: typeof mara, occurredAt: string) =>
        store.saveBudget({
          ...(aBudget({ budgetId, owner }) as Parameters<BudgetStore['saveBudget']>[0]),
          labelId,
          occurredAt,
        });
      for (const budgetId of ['bud-1', 'bud-2', 'bud-3'])
        await give(budgetId, mara, '2027-03-01T00:00:00.000Z');
      const mark = (budgetIds: string[], deliveryId: string, at: string) =>
        store.markOwnerUnreachable(
          labelId,
          budgetIds,
          leftOut(mara.email, deliveryId, at),
          entry(mara.email, deliveryId),
        );
      // Mara's alert for bud-3 is left out: she is stated unreachable for bud-3.
      expect(await mark(['bud-3'], uniqueId('dlv'), '2027-03-02T07:00:00.000Z')).toBe(true);
      // Her alert for bud-2 is left out while that stands: bud-2 is marked for her, not stated again.
      const alert = uniqueId('dlv');
      expect(await mark(['bud-2'], alert, '2027-03-03T07:00:00.000Z')).toBe(false);
      // bud-3 goes to Ivo (that standing ends); her report for bud-1 and bud-2 is left out: it wins
      // bud-1's mark and states her unreachable for bud-1 and bud-2 (bud-2 keeps the alert's mark).
      await give('bud-3', ivo, '2027-03-04T00:00:00.000Z');
      expect(await mark(['bud-1', 'bud-2'], uniqueId('dlv'), '2027-03-05T07:00:00.000Z')).toBe(true);
      // bud-1 goes to Ivo too. The report's standing stands: bud-2 is still hers, marked for her.
      await give('bud-1', ivo, '2027-03-06T00:00:00.000Z');
      expect((await store.getBudget(labelId, 'bud-2'))?.ownerUnreachable?.address).toBe(mara.email);

      // The bud-2 alert's handling runs again (a redelivery): the same mail, the same mark.
      const retried = entry(mara.email, alert);
      const stated = await store.markOwnerUnreachable(
        labelId,
        ['bud-2'],
        leftOut(mara.email, alert, '2027-03-03T07:00:00.000Z'),
        retried,
      );

      // Her standing has not ended: no second `Budget Owner Suppressed` for Mara.
      expect({ stated, inOutbox: await inOutbox(store, retried.eventId) }).toEqual({
        stated: false,
        inOutbox: false,
      });
    });
  });
