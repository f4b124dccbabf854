import { dynamoAnsweringWithin } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoAddressReads } from '#shared/db/address-reads.ts';
import { attemptRequestTimeoutMs, dynamoJobStore } from '#shared/db/jobs.ts';
import { dynamoOutletManagement } from '#shared/db/outlet-changes.ts';
import { dynamoWebhookReplays } from '#shared/db/webhook-replays.ts';
import { loggerFor } from '#shared/lambda/observability.ts';
import type { JobsDeps } from './ports.ts';

/** The jobs function's ports wired to DynamoDB and Powertools (its events go through the outbox). */
export const liveDeps = (): JobsDeps => {
  // Each try of a request answers within the attempt's lease (docs/design.md#jobs).
  const db = dynamoAnsweringWithin(attemptRequestTimeoutMs);
  return {
    jobs: dynamoJobStore(db),
    outlets: { ...dynamoOutletManagement(db), ...dynamoAddressReads(db, config().TABLE_NAME) },
    webhooks: dynamoWebhookReplays(db, config().TABLE_NAME),
    now: () => new Date(),
    log: loggerFor('jobs'),
  };
};
