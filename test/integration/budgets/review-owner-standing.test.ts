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
// address on it (a new owner set on each): a mail left out after that, winning the mark of a budget
// the address holds since, states it again."

const table = aTableOfItsOwn('backline-review-budgets');

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
  describe(`a budget handed to another owner and back, both addresses suppressed (${name})`, () => {
    it('states Mara unreachable again once the budget is hers again: the mark her first statement stood on was Ivo’s meanwhile', async () => {
      const store = makeStore();
      const labelId = uniqueId('lbl');
      const budget = aBudget({ budgetId: 'bud-1', owner: mara }) as Parameters<BudgetStore['saveBudget']>[0];
      await store.saveBudget({ ...budget, labelId, occurredAt: '2027-03-01T00:00:00.000Z' });
      // Mara's alert is left out: she is stated unreachable for bud-1.
      const first = uniqueId('dlv');
      await store.markOwnerUnreachable(
        labelId,
        ['bud-1'],
        leftOut(mara.email, first, '2027-03-02T07:00:00.000Z'),
        entry(mara.email, first),
      );
      // The label hands bud-1 to Ivo, whose address is suppressed too: his alert is left out, and
      // bud-1 shows him unreachable. Mara's standing has ended: bud-1 is not hers, nor marked for her.
      await store.saveBudget({ ...budget, labelId, owner: ivo, occurredAt: '2027-03-03T00:00:00.000Z' });
      const his = uniqueId('dlv');
      await store.markOwnerUnreachable(
        labelId,
        ['bud-1'],
        leftOut(ivo.email, his, '2027-03-04T07:00:00.000Z'),
        entry(ivo.email, his),
      );
      // Then the label gives it back to Mara, and her next alert is left out.
      await store.saveBudget({ ...budget, labelId, owner: mara, occurredAt: '2027-03-05T00:00:00.000Z' });
      const again = uniqueId('dlv');
      const againEntry = entry(mara.email, again);

      const stated = await store.markOwnerUnreachable(
        labelId,
        ['bud-1'],
        leftOut(mara.email, again, '2027-03-06T07:00:00.000Z'),
        againEntry,
      );

      // Her mark on bud-1 is this mail's: written, and stated, not taken for the earlier standing.
      expect((await store.getBudget(labelId, 'bud-1'))?.ownerUnreachable?.deliveryId).toBe(again);
      expect({ stated, inOutbox: await inOutbox(store, againEntry.eventId) }).toEqual({
        stated: true,
        inOutbox: true,
      });
    });
  });
