import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { EventContract, EventData, Metadata } from '#shared/events/envelope.ts';
import * as z from '../zod.ts';
import { observability } from './observability.ts';

/** One detail-type (or several) a function takes, with the logic it runs on the validated event. */
export interface EventRoute {
  detailTypes: readonly string[];
  run(event: unknown, context: Context): Promise<unknown>;
}

/** A Backline event: the whole event is validated with its contract, then `handle` gets typed data. */
export const on = <C extends EventContract>(
  contract: C,
  handle: (data: EventData<C>, metadata: Metadata, context: Context) => Promise<unknown> | unknown,
): EventRoute => ({
  detailTypes: [contract.detailType],
  run: async (event, context) => {
    const { detail } = contract.event.parse(event);
    return handle(detail.data as EventData<C>, detail.metadata, context);
  },
});

/** A record of a queue trigger's batch (Lambda's SQS record, the fields used here). */
export interface QueueRecord {
  messageId: string;
  body: string;
}

/** Events from a queue trigger's batch: each record's body is one event, with its message id. */
export interface QueueRoute {
  queue: string;
  /** Takes the batch as the trigger hands it over (an SQS event: its `Records`). */
  run(batch: unknown, context: Context): Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
}

/**
 * The events of a queue trigger (docs/design.md#queues), each record's body validated with `schema`.
 * `handle` takes the batch and answers the message ids it could not finish; those, and the records
 * that are not such events, are reported as partial batch failures, so only they come back (and
 * reach the queue's dead-letter queue once they have come back too often).
 */
export const onQueue = <S extends z.ZodMiniType>(
  queue: string,
  schema: S,
  handle: (events: { messageId: string; event: z.output<S> }[], context: Context) => Promise<string[]>,
): QueueRoute => {
  // Built where a function takes a queue's batches: a function without a queue route builds none of it.
  const QueueBatch = z.object({
    Records: z
      .array(z.looseObject({ eventSource: z.literal('aws:sqs'), messageId: z.string(), body: z.string() }))
      .check(z.minLength(1)),
  });
  return {
    queue,
    run: async (batch, context) => {
      const records: QueueRecord[] = QueueBatch.parse(batch).Records;
      const failed = new Set<string>();
      const events: { messageId: string; event: z.output<S> }[] = [];
      for (const record of records) {
        try {
          events.push({ messageId: record.messageId, event: schema.parse(JSON.parse(record.body)) });
        } catch {
          failed.add(record.messageId);
        }
      }
      for (const messageId of events.length > 0 ? await handle(events, context) : []) failed.add(messageId);
      return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
    },
  };
};

const Head = z.looseObject({ 'detail-type': z.string() });

export class UnhandledEventError extends Error {}

/**
 * The one shape of an event-driven handler: dispatch by detail-type to the route that takes it,
 * validating the event with that route's schema first; a batch from a queue trigger goes to the
 * function's queue route. An event no route takes is refused with a
 * clear error (retried, then kept in the on-failure queue), never handled by a guess.
 */
export function eventHandler(service: string, routes: (EventRoute | QueueRoute)[]) {
  const byDetailType = new Map<string, EventRoute>();
  const queues = routes.filter((route): route is QueueRoute => 'queue' in route);
  if (queues.length > 1) throw new Error(`${service}: one queue route at most`);
  const [queueRoute] = queues;
  for (const route of routes) {
    if ('queue' in route) continue;
    for (const detailType of route.detailTypes) {
      if (byDetailType.has(detailType)) throw new Error(`${service}: two routes take ${detailType}`);
      byDetailType.set(detailType, route);
    }
  }
  return middy(async (event: unknown, context: Context) => {
    if (queueRoute && Array.isArray((event as { Records?: unknown })?.Records)) {
      return queueRoute.run(event, context);
    }
    const detailType = Head.parse(event)['detail-type'];
    const route = byDetailType.get(detailType);
    if (!route) {
      throw new UnhandledEventError(
        `${service} takes ${[...byDetailType.keys()].join(', ')}; it does not take "${detailType}"`,
      );
    }
    return route.run(event, context);
  }).use(observability(service));
}
