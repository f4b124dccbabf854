import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { dynamo, eventBridge } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoOutbox, storedOutboxEntryOf } from '#shared/db/outbox-publishing.ts';
import { dynamoReplayRejections } from '#shared/db/replay-rejections.ts';
// From its own module, not the events index: importing the index at load would run every event module
// the webhook parser imports (publish.ts loads it on first use).
import { OutboxSweepDue } from '#shared/events/outbox-sweep-due.ts';
import { putEvents } from '#shared/events/publish.ts';
import { on } from '#shared/lambda/event-handler.ts';
import { type Measure, measureFor } from '#shared/lambda/metrics.ts';
import { loggerFor, observability } from '#shared/lambda/observability.ts';
import * as z from '#shared/zod.ts';
import { type PublisherDeps, publishStreamed } from './publish.ts';
import { sweepOutbox } from './sweep.ts';

const StreamBatch = z.looseObject({
  Records: z.array(z.looseObject({ eventSource: z.literal('aws:dynamodb') })),
});

/**
 * Outbox entries from the table's stream (an event source mapping whose filter selects them), and
 * `Outbox Sweep Due` (every minute). See docs/design.md#the-outbox.
 */
export const makeHandler = (deps: PublisherDeps, measure: Measure = measureFor('publisher')) => {
  const sweep = on(OutboxSweepDue, () => sweepOutbox(deps, measure));
  return middy(async (event: unknown, context: Context) => {
    if (!StreamBatch.safeParse(event).success) return sweep.run(event, context);
    const records = (event as DynamoDBStreamEvent).Records.map((record) => {
      const image = record.dynamodb?.NewImage;
      return {
        sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
        entry: image ? storedOutboxEntryOf(unmarshall(image as Parameters<typeof unmarshall>[0])) : undefined,
      };
    });
    // An entry parked here is reported by every minute's sweep until it is redriven (the parked alarm).
    const { batchItemFailures } = await publishStreamed(records, deps, measure);
    // Outbox lag: from the oldest entry's write (its stream record's creation time) to now.
    const written = (event as DynamoDBStreamEvent).Records.flatMap((r) =>
      r.dynamodb?.ApproximateCreationDateTime ? [r.dynamodb.ApproximateCreationDateTime * 1000] : [],
    );
    if (written.length > 0)
      measure.record('OutboxLag', {}, Math.max(0, deps.now().getTime() - Math.min(...written)));
    return { batchItemFailures };
  }).use(observability('publisher'));
};

export const liveDeps = (): PublisherDeps => ({
  outbox: dynamoOutbox(dynamo(), config().TABLE_NAME),
  bus: { put: (events) => putEvents(eventBridge(), config().EVENT_BUS_NAME, events) },
  replays: dynamoReplayRejections(dynamo(), config().TABLE_NAME),
  now: () => new Date(),
  log: loggerFor('publisher'),
});

export const handler = makeHandler(liveDeps());
