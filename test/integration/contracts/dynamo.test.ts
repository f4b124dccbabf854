import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoBudgets } from '#shared/db/budgets.ts';
import { dynamoChangeSteps } from '#shared/db/change-steps.ts';
import { dynamoComingReleases } from '#shared/db/coming-releases.ts';
import { dynamoDeliveries } from '#shared/db/deliveries.ts';
import { dynamoJobStore } from '#shared/db/jobs.ts';
import { dynamoLabelExistence, dynamoLabels } from '#shared/db/labels.ts';
import { dynamoMailingFacts } from '#shared/db/mailing-facts.ts';
import { outboxKey } from '#shared/db/outbox.ts';
import { outletsById } from '#shared/db/outlets-by-id.ts';
import {
  dynamoClaimAwaitingAdvance,
  dynamoNotePressAndClaim,
  dynamoPressNotes,
} from '#shared/db/press-notes.ts';
import { dynamoReleases, type ReleaseChangeRecord, releaseChangeKey } from '#shared/db/releases.ts';
import { dynamoSuppressionList } from '#shared/db/suppression-list.ts';
import { dynamoTours } from '#shared/db/tours.ts';
import { dynamoWebhookRecording } from '#shared/db/webhook-recording.ts';
import { dynamoWebhookReplays } from '#shared/db/webhook-replays.ts';
import { describeBudgetStoreContract } from '#test/contracts/budget-store.contract.ts';
import { describeDeliveryStoreContract } from '#test/contracts/deliveries.contract.ts';
import { describeJobsContract } from '#test/contracts/jobs.contract.ts';
import { describeLabelsContract } from '#test/contracts/labels.contract.ts';
import { describeMailingFactsContract } from '#test/contracts/mailing-facts.contract.ts';
import { describeOutletDirectoryContract } from '#test/contracts/outlet-directory.contract.ts';
import { describePressNotesContract } from '#test/contracts/press-notes.contract.ts';
import { describePromoCountersContract } from '#test/contracts/promo-counters.contract.ts';
import { describeReleasesContract } from '#test/contracts/releases.contract.ts';
import { describeSuppressionListContract } from '#test/contracts/suppression-list.contract.ts';
import { describeToursContract } from '#test/contracts/tours.contract.ts';
import { describeWebhookRecordsContract } from '#test/contracts/webhook-records.contract.ts';
import { cloud, documentClient, sdkConfig } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import { localOutletDirectory, localPromoCounters } from '#test/support/outlets-cloud.ts';
import { aSealer } from '#test/support/sealing.ts';

/**
 * The DynamoDB stores on the test run's DynamoDB Local hold the contracts the unit tests' fakes hold
 * (test/unit/contracts/fakes.test.ts), so a fake cannot say something of the table that is not so.
 */

/**
 * The table the suites' stores read and write: their own, without the cloud table's stream, so that
 * no function acts on a test's data while it compares it (see test/support/contract-table.ts).
 */
const table = aTableOfItsOwn();

describe("the contract suites' table", () => {
  const described = async (tableName: string) => {
    const client = new DynamoDBClient(sdkConfig('dynamodb'));
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const { TimeToLiveDescription } = await client.send(
      new DescribeTimeToLiveCommand({ TableName: tableName }),
    );
    return { table: Table!, ttl: TimeToLiveDescription };
  };
  const shape = ({ table, ttl }: { table: TableDescription; ttl: unknown }) => ({
    keys: table.KeySchema,
    attributes: table.AttributeDefinitions,
    indexes: table.GlobalSecondaryIndexes?.map(({ IndexName, KeySchema, Projection }) => ({
      IndexName,
      KeySchema,
      Projection,
    })),
    ttl,
  });

  it("is the suites' own, keyed, indexed and expiring as the cloud's, with no stream for the cloud's publisher to relay", async () => {
    const own = await described(table.name);
    const clouds = await described(cloud().tableName);

    expect(own.table.TableName).not.toBe(cloud().tableName);
    expect(own.table.StreamSpecification?.StreamEnabled ?? false).toBe(false);
    expect(own.table.LatestStreamArn).toBeUndefined();
    expect(shape(own)).toEqual(shape(clouds));
  });
});

/** Whether the suites' table holds the outbox entry (nothing publishes it there). */
const inTableOutbox = async (_store: unknown, eventId: string) => {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: table.name, Key: outboxKey(eventId), ConsistentRead: true }),
  );
  return Item !== undefined;
};

// The directory as management has it, with the outlets read by id that the announcer and tours read.
describeOutletDirectoryContract(
  'DynamoDB',
  () => ({
    ...localOutletDirectory(table.name),
    getMany: (outletIds: readonly string[]) => outletsById(documentClient(), table.name, outletIds),
  }),
  inTableOutbox,
);
describePromoCountersContract('DynamoDB', () => localPromoCounters(table.name), inTableOutbox);
describeLabelsContract(
  'DynamoDB',
  () => dynamoLabels(documentClient(), table.name, aSealer()),
  () => dynamoLabelExistence(documentClient(), table.name),
);
describeWebhookRecordsContract('DynamoDB', () => ({
  ...dynamoWebhookRecording(documentClient(), table.name),
  ...dynamoWebhookReplays(documentClient(), table.name),
}));
describeDeliveryStoreContract(
  'DynamoDB',
  () => dynamoDeliveries(documentClient(), table.name),
  inTableOutbox,
);
describeMailingFactsContract(
  'DynamoDB',
  () => dynamoMailingFacts(documentClient(), table.name),
  inTableOutbox,
);
describeBudgetStoreContract(
  'DynamoDB',
  () => dynamoBudgets(documentClient(), table.name),
  inTableOutbox,
  (amid) => {
    const db = documentClient();
    const send = db.send.bind(db) as (command: unknown) => Promise<{ Items?: Record<string, unknown>[] }>;
    (db as { send: unknown }).send = async (command: unknown) => {
      const strong = command instanceof QueryCommand && command.input.ConsistentRead === true;
      if (strong) command.input.Limit = 1;
      const answer = await send(command);
      if (strong && answer.Items?.some((item) => item.entity === 'expense')) await amid();
      return answer;
    };
    return dynamoBudgets(db, table.name);
  },
);
describeToursContract('DynamoDB', () => ({
  ...dynamoTours(documentClient(), table.name),
  ...dynamoPressNotes(documentClient(), table.name),
  ...dynamoChangeSteps(documentClient(), table.name),
}));
describePressNotesContract('DynamoDB', () => ({
  tours: dynamoTours(documentClient(), table.name),
  deliveries: dynamoDeliveries(documentClient(), table.name),
  notePressAndClaim: dynamoNotePressAndClaim(documentClient(), table.name),
  claimAwaitingAdvance: dynamoClaimAwaitingAdvance(documentClient(), table.name),
}));
describeReleasesContract(
  'DynamoDB',
  // The releases function's store and the announcer's releases to come, on one table.
  () => ({
    ...dynamoReleases(documentClient(), table.name),
    ...dynamoComingReleases(documentClient(), table.name),
  }),
  inTableOutbox,
  async (_store, { labelId, releaseId, occurredAt, eventId }) => {
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: table.name,
        Key: releaseChangeKey(labelId, releaseId, occurredAt, eventId),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...change } = Item;
    return change as ReleaseChangeRecord;
  },
);
describeJobsContract('DynamoDB', () => dynamoJobStore(documentClient(), table.name), inTableOutbox);
describeSuppressionListContract('DynamoDB', () => {
  const directory = localOutletDirectory(table.name);
  const at = '2027-03-01T12:00:00.000Z';
  return {
    list: dynamoSuppressionList(documentClient(), table.name),
    suppress: async (email) => {
      await directory.suppress({ email, reason: 'bounce', at }, []);
    },
    unsubscribe: (email) => directory.markAddressUnsubscribed(email, at, () => []),
  };
});
