import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoBudgets } from '#shared/db/budgets.ts';
import { dynamoDeliveries } from '#shared/db/deliveries.ts';
import { dynamoJobStore } from '#shared/db/jobs.ts';
import { dynamoLabels } from '#shared/db/labels.ts';
import { outboxKey } from '#shared/db/outbox.ts';
import { dynamoReleases } from '#shared/db/releases.ts';
import { dynamoTours } from '#shared/db/tours.ts';
import { dynamoWebhookRecords } from '#shared/db/webhooks.ts';
import { describeBudgetStoreContract } from '#test/contracts/budget-store.contract.ts';
import { describeDeliveryStoreContract } from '#test/contracts/deliveries.contract.ts';
import { describeJobsContract } from '#test/contracts/jobs.contract.ts';
import { describeLabelsContract } from '#test/contracts/labels.contract.ts';
import { describeOutletDirectoryContract } from '#test/contracts/outlet-directory.contract.ts';
import { describePromoCountersContract } from '#test/contracts/promo-counters.contract.ts';
import { describeReleasesContract } from '#test/contracts/releases.contract.ts';
import { describeToursContract } from '#test/contracts/tours.contract.ts';
import { describeWebhookRecordsContract } from '#test/contracts/webhook-records.contract.ts';
import { cloud, documentClient } from '#test/support/cloud.ts';
import { localOutletDirectory, localPromoCounters } from '#test/support/outlets-cloud.ts';
import { aSealer } from '#test/support/sealing.ts';

/**
 * The DynamoDB stores on the test run's DynamoDB Local hold the contracts the unit tests' fakes hold
 * (test/unit/contracts/fakes.test.ts), so a fake cannot say something of the table that is not so.
 */

/** Whether the outbox holds the entry: written, whether or not the local publisher has published it yet. */
const inTableOutbox = async (_store: unknown, eventId: string) => {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: cloud().tableName, Key: outboxKey(eventId), ConsistentRead: true }),
  );
  return Item !== undefined;
};

describeOutletDirectoryContract('DynamoDB', localOutletDirectory, inTableOutbox);
describePromoCountersContract('DynamoDB', localPromoCounters, inTableOutbox);
describeLabelsContract('DynamoDB', () => dynamoLabels(documentClient(), cloud().tableName, aSealer()));
describeWebhookRecordsContract('DynamoDB', () => dynamoWebhookRecords(documentClient(), cloud().tableName));
describeDeliveryStoreContract(
  'DynamoDB',
  () => dynamoDeliveries(documentClient(), cloud().tableName),
  inTableOutbox,
);
describeBudgetStoreContract(
  'DynamoDB',
  () => dynamoBudgets(documentClient(), cloud().tableName),
  inTableOutbox,
);
describeToursContract('DynamoDB', () => dynamoTours(documentClient(), cloud().tableName));
describeReleasesContract(
  'DynamoDB',
  () => dynamoReleases(documentClient(), cloud().tableName),
  inTableOutbox,
);
describeJobsContract('DynamoDB', () => dynamoJobStore(documentClient(), cloud().tableName), inTableOutbox);
