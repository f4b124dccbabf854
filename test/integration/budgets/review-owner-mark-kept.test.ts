import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { type BudgetStore, dynamoBudgets } from '#shared/db/budgets.ts';
import { outboxKey } from '#shared/db/outbox.ts';
import { BudgetOwnerSuppressed, outboxEntry } from '#shared/events/index.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';
import { aBudget } from '#test/support/budgets-harness.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';

// docs/design.md#budgets: a budget owner's unreachable mark is "shown until a new owner is set", and
// "a mark stays until a new owner is set"; the in-memory store the unit tests run on is to keep it as
// the table does (test/unit/contracts/fakes.test.ts).

const table = aTableOfItsOwn('backline-review-budget-marks');

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

for (const [name, makeStore] of stores)
  describe(`a budget whose terms are sent again with the same owner, her address suppressed (${name})`, () => {
    it('keeps her unreachable mark: a mark stays until a new owner is set', async () => {
      const store = makeStore();
      const labelId = uniqueId('lbl');
      const budget = aBudget({ budgetId: 'bud-1', owner: mara }) as Parameters<BudgetStore['saveBudget']>[0];
      await store.saveBudget({ ...budget, labelId, occurredAt: '2027-03-01T00:00:00.000Z' });
      const first = uniqueId('dlv');
      await store.markOwnerUnreachable(
        labelId,
        ['bud-1'],
        leftOut(mara.email, first, '2027-03-02T07:00:00.000Z'),
        entry(mara.email, first),
      );

      // The label raises the plan; Mara still owns the budget.
      await store.saveBudget({
        ...budget,
        labelId,
        thresholds: [80, 100],
        occurredAt: '2027-03-03T00:00:00.000Z',
      });

      expect((await store.getBudget(labelId, 'bud-1'))?.ownerUnreachable?.deliveryId).toBe(first);
    });
  });
