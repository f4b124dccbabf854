import { dynamo, eventBridge } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoWebhookRecords } from '#shared/db/webhooks.ts';
import { OutboxSweepDue } from '#shared/events/index.ts';
import { publishEvents } from '#shared/events/publish.ts';
import { eventHandler, on } from '#shared/lambda/event-handler.ts';
import { loggerFor } from '#shared/lambda/observability.ts';
import { type SweepDeps, sweepPendingWebhooks } from './sweep.ts';

/** On `Outbox Sweep Due` (every minute): republishes recorded webhooks still pending after a minute (docs/design.md#the-outbox). */
export const makeHandler = (deps: SweepDeps) =>
  eventHandler('intake-outbox', [on(OutboxSweepDue, () => sweepPendingWebhooks(deps))]);

export const liveDeps = (): SweepDeps => ({
  webhooks: dynamoWebhookRecords(dynamo(), config().TABLE_NAME),
  publish: (entries) => publishEvents(eventBridge(), entries),
  busName: config().EVENT_BUS_NAME,
  now: () => new Date(),
  log: loggerFor('intake-outbox'),
});

export const handler = makeHandler(liveDeps());
