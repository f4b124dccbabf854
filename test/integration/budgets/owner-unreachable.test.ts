import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { markSuppressedOwner } from '#functions/budgets/unreachable.ts';
import { type BudgetStore, dynamoBudgets } from '#shared/db/budgets.ts';
import { deliveryIdOf, mailSubjects } from '#shared/db/deliveries.ts';
import { outboxKey } from '#shared/db/outbox.ts';
import { BudgetOwnerSuppressed, outboxEntry } from '#shared/events/index.ts';
import type { OutgoingMail } from '#shared/mail/ports.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';
import { aBudget } from '#test/support/budgets-harness.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';

// docs/design.md#budgets: a budget owner's unreachable mark is "shown until a new owner is set", and
// "a mark stays until a new owner is set"; `Budget Owner Suppressed` is stated once per owner while
// the mark stands. "The standing ends when none of the budgets it named is still the address's with a
// mark of the address on it (a new owner set on each): a mail left out after that, winning the mark
// of a budget the address holds since, states it again"; a retry of a mail is kept once. A mark the
// standing stands on may be another left-out mail's: one that won a budget's mark first, before the
// statement. The in-memory store the unit tests run on is to keep all this as the table does
// (test/unit/contracts/fakes.test.ts), so each test runs on both.

const table = aTableOfItsOwn('backline-budget-owner-unreachable');

/**
 * Each store: how to make it, whether an outbox entry (by event id) is in its outbox, and the
 * `Budget Owner Suppressed` statements in its outbox, by the delivery id of the mail that made each.
 */
const stores: [
  string,
  () => BudgetStore,
  (store: BudgetStore, eventId: string) => Promise<boolean>,
  (store: BudgetStore) => Promise<string[]>,
][] = [
  [
    'in memory',
    () => new InMemoryBudgets(),
    async (store, eventId) => (store as InMemoryBudgets).published.some((e) => e.eventId === eventId),
    async (store) =>
      (store as InMemoryBudgets).published
        .filter((e) => e.detailType === 'Budget Owner Suppressed')
        .map((e) => (e.detail as { data: { deliveryId: string } }).data.deliveryId),
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
    async () =>
      (
        (
          await documentClient().send(
            new ScanCommand({
              TableName: table.name,
              ConsistentRead: true,
              FilterExpression: 'entity = :outbox',
              ExpressionAttributeValues: { ':outbox': 'outbox' },
            }),
          )
        ).Items ?? []
      )
        .filter((item) => item.detailType === 'Budget Owner Suppressed')
        .map(
          (item) => (JSON.parse(item.detail as string) as { data: { deliveryId: string } }).data.deliveryId,
        ),
  ],
];

const mara = { name: 'Mara Quinn', email: 'mara@label.example' };
const ivo = { name: 'Ivo Brandt', email: 'ivo@label.example' };

/** A budget's terms as the store saves them, owned by `owner`. */
const ownedBudget = (budgetId: string, owner: typeof mara) =>
  aBudget({ budgetId, owner }) as Parameters<BudgetStore['saveBudget']>[0];

/** A mail to `address` left out as suppressed. */
const leftOut = (address: string, deliveryId: string, at: string) => ({
  address,
  reason: 'suppressed' as const,
  detail: 'the address is suppressed after a bounce or a complaint',
  deliveryId,
  kind: 'threshold-crossed',
  at,
});

/** The `Budget Owner Suppressed` outbox entry stating `address` unreachable. */
const entry = (address: string, deliveryId: string) =>
  outboxEntry(
    BudgetOwnerSuppressed,
    { ...BudgetOwnerSuppressed.sample, address, deliveryId },
    { source: 'backline.budgets' },
  );

/** Mara's 80 % alert for `budgetId`, as the budgets function builds it (its identity is its claim). */
const alertMail = (labelId: string, budgetId: string): OutgoingMail => ({
  identity: {
    labelId,
    subject: mailSubjects.budgetAlert(budgetId, 'threshold-80', '2027-03-01'),
    email: mara.email,
    kind: 'threshold-crossed',
  },
  stream: 'operational',
  context: { budgetId },
  template: 'budget-alert',
  data: {},
});

/** Marks `budgetIds` for `owner` with a left-out mail, stating her unreachable unless she stands so. */
const markUnreachable = (
  store: BudgetStore,
  labelId: string,
  budgetIds: string[],
  owner: typeof mara,
  deliveryId: string,
  at: string,
) =>
  store.markOwnerUnreachable(
    labelId,
    budgetIds,
    leftOut(owner.email, deliveryId, at),
    entry(owner.email, deliveryId),
  );

/**
 * A store made by `makeStore` holding bud-1 to bud-3 of a new label, all Mara's since 1 March; `give`
 * sets a budget's owner, `mark` marks budgets for Mara with a left-out mail.
 */
const marasThreeBudgets = async (makeStore: () => BudgetStore) => {
  const store = makeStore();
  const labelId = uniqueId('lbl');
  const give = (budgetId: string, owner: typeof mara, occurredAt: string) =>
    store.saveBudget({ ...ownedBudget(budgetId, owner), labelId, occurredAt });
  for (const budgetId of ['bud-1', 'bud-2', 'bud-3']) await give(budgetId, mara, '2027-03-01T00:00:00.000Z');
  const mark = (budgetIds: string[], deliveryId: string, at: string) =>
    markUnreachable(store, labelId, budgetIds, mara, deliveryId, at);
  return { store, labelId, give, mark };
};

for (const [name, makeStore, inOutbox, statements] of stores) {
  describe(`a budget whose terms are sent again with the same owner, her address suppressed (${name})`, () => {
    it('keeps her unreachable mark: a mark stays until a new owner is set', async () => {
      const store = makeStore();
      const labelId = uniqueId('lbl');
      const budget = ownedBudget('bud-1', mara);
      await store.saveBudget({ ...budget, labelId, occurredAt: '2027-03-01T00:00:00.000Z' });
      const first = uniqueId('dlv');
      await markUnreachable(store, labelId, ['bud-1'], mara, first, '2027-03-02T07:00:00.000Z');

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

  describe(`a budget handed to another owner and back, both addresses suppressed (${name})`, () => {
    it('states Mara unreachable again once the budget is hers again: the mark her first statement stood on was Ivo’s meanwhile', async () => {
      const store = makeStore();
      const labelId = uniqueId('lbl');
      const budget = ownedBudget('bud-1', mara);
      await store.saveBudget({ ...budget, labelId, occurredAt: '2027-03-01T00:00:00.000Z' });
      // Mara's alert is left out: she is stated unreachable for bud-1.
      await markUnreachable(store, labelId, ['bud-1'], mara, uniqueId('dlv'), '2027-03-02T07:00:00.000Z');
      // The label hands bud-1 to Ivo, whose address is suppressed too: his alert is left out, and
      // bud-1 shows him unreachable. Mara's standing has ended: bud-1 is not hers, nor marked for her.
      await store.saveBudget({ ...budget, labelId, owner: ivo, occurredAt: '2027-03-03T00:00:00.000Z' });
      await markUnreachable(store, labelId, ['bud-1'], ivo, uniqueId('dlv'), '2027-03-04T07:00:00.000Z');
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

  describe(`an owner's standing that stands on another left-out mail's mark, when that mail is retried (${name})`, () => {
    it('does not state Mara unreachable a second time: bud-2 is still hers and marked for her', async () => {
      const { store, labelId, give, mark } = await marasThreeBudgets(makeStore);
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

  // docs/design.md#budgets: "A mark of its own as old as the statement or older is the standing's as
  // any other mail's is: one it won before the statement ... keeps the standing while that budget is the
  // address's, so the same mail handled again (a redelivery) does not state the address a second time."
  // A redelivery is handled later than the first attempt: markSuppressedOwner stamps the mark it writes
  // with the time of that handling (deps.now()), and the store lets a mail rewrite its own mark.
  describe(`an owner's standing that stands on another left-out mail's mark, when that mail is redelivered a day later (${name})`, () => {
    it('does not state Mara unreachable a second time: bud-2 is still hers and marked for her by that mail', async () => {
      const { store, labelId, give, mark: leftOut } = await marasThreeBudgets(makeStore);
      // Mara's alert for bud-3 is left out: she is stated unreachable for bud-3.
      expect(await leftOut(['bud-3'], uniqueId('dlv'), '2027-03-02T07:00:00.000Z')).toBe(true);
      // Her alert for bud-2 is left out while that stands: bud-2 is marked for her, not stated again.
      const alert = alertMail(labelId, 'bud-2');
      const alertId = deliveryIdOf(alert.identity);
      expect(await leftOut(['bud-2'], alertId, '2027-03-03T07:00:00.000Z')).toBe(false);
      // bud-3 goes to Ivo; her report for bud-1 and bud-2 is left out and states her for both.
      await give('bud-3', ivo, '2027-03-04T00:00:00.000Z');
      expect(await leftOut(['bud-1', 'bud-2'], uniqueId('dlv'), '2027-03-05T07:00:00.000Z')).toBe(true);
      // bud-1 goes to Ivo too. The report's standing stands: bud-2 is still hers, marked for her.
      await give('bud-1', ivo, '2027-03-06T00:00:00.000Z');

      // The bud-2 alert's handling runs again (a redelivery), handled on 7 March as the function does.
      const { stated } = await markSuppressedOwner(alert, 'corr-redelivered', {
        store,
        now: () => new Date('2027-03-07T07:00:00.000Z'),
      });

      // Her standing has not ended: no second `Budget Owner Suppressed` for Mara (none by the alert).
      const forTheAlert = (await statements(store)).filter((id) => id === alertId);
      expect({ stated, statedForTheAlert: forTheAlert.length }).toEqual({
        stated: false,
        statedForTheAlert: 0,
      });
    });
  });
}
