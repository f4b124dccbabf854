import { dynamo, eventBridge } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoEmailSentClaims } from '#shared/db/email-sent-claims.ts';
import { outletsById } from '#shared/db/outlets-by-id.ts';
import { dynamoReleaseReads } from '#shared/db/release-reads.ts';
import { publishEvents } from '#shared/events/publish.ts';
import type { SettlementDeps } from './ports.ts';

export const liveDeps = (): SettlementDeps => ({
  deliveries: dynamoEmailSentClaims(dynamo(), config().TABLE_NAME),
  releases: dynamoReleaseReads(dynamo(), config().TABLE_NAME),
  outlets: { getMany: (outletIds) => outletsById(dynamo(), config().TABLE_NAME, outletIds) },
  events: { publish: (events) => publishEvents(eventBridge(), config().EVENT_BUS_NAME, events) },
  now: () => new Date(),
});
