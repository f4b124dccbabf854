import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { markSuppressedOwner } from '#functions/budgets/unreachable.ts';
import { type BudgetStore, dynamoBudgets } from '#shared/db/budgets.ts';
import { deliveryIdOf, mailSubjects } from '#shared/db/deliveries.ts';
import { BudgetOwnerSuppressed, outboxEntry } from '#shared/events/index.ts';
import type { OutgoingMail } from '#shared/mail/ports.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';
import { aBudget } from '#test/support/budgets-harness.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';

// docs/design.md#budgets: "A mark of its own as old as the statement or older is the standing's as
// any other mail's is: one it won before the statement ... keeps the standing while that budget is the
// address's, so the same mail handled again (a redelivery) does not state the address a second time."
// A redelivery is handled later than the first attempt: markSuppressedOwner stamps the mark it writes
// with the time of that handling (deps.now()), and the store lets a mail rewrite its own mark.

const table = aTableOfItsOwn('backline-budget-owner-redelivered');

/** The `Budget Owner Suppressed` statements in a store's outbox, by the delivery id of the mail that made each. */
const stores: [string, () => BudgetStore, (store: BudgetStore) => Promise<string[]>][] = [
  [
    'in memory',
    () => new InMemoryBudgets(),
    async (store) =>
      (store as InMemoryBudgets).published
        .filter((e) => e.detailType === 'Budget Owner Suppressed')
        .map((e) => (e.detail as { data: { deliveryId: string } }).data.deliveryId),
  ],
  [
    'DynamoDB',
    () => dynamoBudgets(documentClient(), table.name),
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

/** The `Budget Owner Suppressed` outbox entry stating Mara unreachable for a mail. */
const entry = (deliveryId: string) =>
  outboxEntry(
    BudgetOwnerSuppressed,
    { ...BudgetOwnerSuppressed.sample, address: mara.email, deliveryId },
    { source: 'backline.budgets' },
  );

for (const [name, makeStore, statements] of stores) {
  describe(`review: an owner's standing that stands on another left-out mail's mark, when that mail is redelivered a day later (${name})`, () => {
    it('does not state Mara unreachable a second time: bud-2 is still hers and marked for her by that mail', async () => {
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
      const leftOut = (budgetIds: string[], deliveryId: string, at: string) =>
        store.markOwnerUnreachable(
          labelId,
          budgetIds,
          {
            address: mara.email,
            reason: 'suppressed',
            detail: 'the address is suppressed after a bounce or a complaint',
            deliveryId,
            kind: 'threshold-crossed',
            at,
          },
          entry(deliveryId),
        );
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
