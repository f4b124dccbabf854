import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoJobStore } from '#shared/db/jobs.ts';
import { dynamoOutletManagement } from '#shared/db/outlet-changes.ts';
import { dynamoWebhookRecords } from '#shared/db/webhooks.ts';
import { loggerFor } from '#shared/lambda/observability.ts';
import type { JobsDeps } from './ports.ts';

/** The jobs function's ports wired to DynamoDB and Powertools (its events go through the outbox). */
export const liveDeps = (): JobsDeps => ({
  jobs: dynamoJobStore(),
  outlets: dynamoOutletManagement(),
  webhooks: dynamoWebhookRecords(dynamo(), config().TABLE_NAME),
  now: () => new Date(),
  log: loggerFor('jobs'),
});
