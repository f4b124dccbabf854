import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/budgets/handler.ts';
import { counter } from '#shared/budgets/ledger.ts';
import { dynamoBudgets, totalsKey } from '#shared/db/budgets.ts';
import { BudgetReconciliationDue, BudgetSet, buildDetail, ExpenseRecorded } from '#shared/events/index.ts';
import { fakeMailDeps } from '#test/support/announcer-fakes.ts';
import { aBudget, anExpense } from '#test/support/budgets-harness.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import { answerLostOnce } from '#test/support/dynamo-errors.ts';
import { anEvent } from '#test/support/events.ts';

/**
 * docs/design.md#failures-and-retries, on DynamoDB Local: the reconciliation's repair of the running
 * totals (the totals, the drift record and Budget Drift Repaired, one transaction) is applied and its
 * answer lost; sent again as a new transaction (a conflict), it is refused by its own landing. Read back
 * from DynamoDB (a map's attributes in no set order), the drift record is found as its own, and the
 * drift is measured. The table is the file's own: no function acts on it.
 */
const table = aTableOfItsOwn('backline-totals-repair-lost');

describe('a repair of the running totals whose write landed while its answer was lost, on DynamoDB', () => {
  it('measures its drift', async () => {
    const client = documentClient();
    const labelId = uniqueId('lbl');
    const now = () => new Date('2027-03-03T07:00:00.000Z');
    const { deps: mail, measure } = fakeMailDeps(now, {
      claimConcurrency: 4,
      throttleBackoffMs: 1_000,
      staleClaimMs: 15 * 60_000,
    });
    const handlerOn = (store: ReturnType<typeof dynamoBudgets>) =>
      makeHandler({ store, mail, now, timeZone: 'UTC' }, measure);
    const deliver = async (
      store: ReturnType<typeof dynamoBudgets>,
      contract: typeof BudgetSet | typeof ExpenseRecorded | typeof BudgetReconciliationDue,
      data: unknown,
      occurredAt: string,
    ) => {
      const detail = buildDetail(contract as typeof BudgetSet, data as never, {
        labelId,
        eventId: uniqueId('evt'),
        occurredAt,
      });
      await handlerOn(store)(anEvent(contract, detail), {} as Context);
    };
    const store = dynamoBudgets(client, table.name);
    await deliver(store, BudgetSet, aBudget(), '2027-03-01T09:00:00.000Z');
    await deliver(store, ExpenseRecorded, anExpense(), '2027-03-02T09:00:00.000Z');
    // 5.00 EUR of drift in the running totals.
    await client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: totalsKey(labelId, 'bud-1'),
        UpdateExpression: 'ADD #radio :drift',
        ExpressionAttributeNames: { '#radio': counter.actual('radio') },
        ExpressionAttributeValues: { ':drift': 500 },
      }),
    );
    const losing = answerLostOnce(client, TransactWriteCommand);

    // The store's paginated reads ask for a document client: the same client, its sends losing one answer.
    const paginating = Object.create(client, { send: { value: losing.client.send } });
    await deliver(
      dynamoBudgets(paginating, table.name),
      BudgetReconciliationDue,
      { labelId, budgetId: 'bud-1', date: '2027-03-03' },
      now().toISOString(),
    );

    expect(losing.lost()).toBe(true);
    expect((await store.runningTotals(labelId, 'bud-1')).totals).toEqual({
      [counter.actual('radio')]: 10_000,
    });
    expect(measure.totals('ReconciliationDrift')).toEqual({ EUR: 500 });
  });
});
