import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';
import { dynamo, eventBridge } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoOutbox, storedOutboxEntryOf } from '#shared/db/outbox.ts';
import { OutboxSweepDue } from '#shared/events/index.ts';
import { putEvents } from '#shared/events/publish.ts';
import { on } from '#shared/lambda/event-handler.ts';
import { loggerFor, observability } from '#shared/lambda/observability.ts';
import { type PublisherDeps, publishStreamed } from './publish.ts';
import { sweepOutbox } from './sweep.ts';

const StreamBatch = z.looseObject({
  Records: z.array(z.looseObject({ eventSource: z.literal('aws:dynamodb') })),
});

/**
 * Outbox entries from the table's stream (an event source mapping whose filter selects them), and
 * `Outbox Sweep Due` (every minute). See docs/design.md#the-outbox.
 */
export const makeHandler = (deps: PublisherDeps) => {
  const sweep = on(OutboxSweepDue, () => sweepOutbox(deps));
  return middy(async (event: unknown, context: Context) => {
    if (!StreamBatch.safeParse(event).success) return sweep.run(event, context);
    const records = (event as DynamoDBStreamEvent).Records.map((record) => {
      const image = record.dynamodb?.NewImage;
      return {
        sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
        entry: image ? storedOutboxEntryOf(unmarshall(image as Parameters<typeof unmarshall>[0])) : undefined,
      };
    });
    return publishStreamed(records, deps);
  }).use(observability('publisher'));
};

export const liveDeps = (): PublisherDeps => ({
  outbox: dynamoOutbox(dynamo(), config().TABLE_NAME),
  bus: { put: (events) => putEvents(eventBridge(), config().EVENT_BUS_NAME, events) },
  now: () => new Date(),
  log: loggerFor('publisher'),
});

export const handler = makeHandler(liveDeps());
