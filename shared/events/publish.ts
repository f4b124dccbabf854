import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { backoffDelay } from '../retry.ts';
import type { OutboxEntry } from './outbox.ts';

/** EventBridge: at most 10 entries per PutEvents call. */
export const maxEntriesPerCall = 10;

/**
 * PutEvents' per-entry error codes worth another try. The others (InvalidArgument, MalformedDetail,
 * AccessDeniedException, NotAuthorizedForSourceException, ...) fail the same way every time.
 */
const retryableCodes = new Set(['InternalFailure', 'ThrottlingException']);

/** Puts events on the Backline bus directly (for steps with no state write to attach them to); throws if some were refused. */
export interface EventPublisher {
  publish(events: OutboxEntry[]): Promise<void>;
}

export interface RefusedEvent {
  event: OutboxEntry;
  code: string;
  message?: string;
}

export class PublishError extends Error {
  readonly failed: RefusedEvent[];
  constructor(failed: RefusedEvent[]) {
    super(
      `EventBridge refused ${failed.length} event(s): ${failed.map((f) => `${f.code} ${f.message ?? ''}`.trim()).join('; ')}`,
    );
    this.failed = failed;
  }
}

export interface PutOptions {
  /** Calls per group of ten, the first included. */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const toRequestEntry = (event: OutboxEntry, busName: string): PutEventsRequestEntry => ({
  EventBusName: busName,
  Source: event.source,
  DetailType: event.detailType,
  Detail: JSON.stringify(event.detail),
});

/**
 * Puts events on a bus, ten per call, and answers which it refused. PutEvents answers 200 even when
 * some entries failed (`FailedEntryCount`), so every entry's result is read, and only the entries
 * that failed with a retryable code (InternalFailure, throttling) are put again, with exponential
 * backoff and full jitter, a bounded number of times. An error of the whole call (after the SDK's
 * own retries of throttling and 5xx) refuses the entries of that call. Never throws for a refusal.
 */
export async function putEvents(
  client: Pick<EventBridgeClient, 'send'>,
  busName: string,
  events: OutboxEntry[],
  options: PutOptions = {},
): Promise<RefusedEvent[]> {
  const {
    attempts = 4,
    baseDelayMs = 100,
    maxDelayMs = 2_000,
    sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  } = options;
  const refused: RefusedEvent[] = [];
  for (let start = 0; start < events.length; start += maxEntriesPerCall) {
    let pending = events.slice(start, start + maxEntriesPerCall);
    for (let attempt = 1; pending.length > 0; attempt++) {
      let failed: RefusedEvent[];
      try {
        const result = await client.send(
          new PutEventsCommand({ Entries: pending.map((event) => toRequestEntry(event, busName)) }),
        );
        failed = pending.flatMap((event, i) => {
          const outcome = result.Entries?.[i];
          if (outcome?.EventId && !outcome.ErrorCode) return [];
          return [{ event, code: outcome?.ErrorCode ?? 'NoResult', message: outcome?.ErrorMessage }];
        });
      } catch (error) {
        refused.push(
          ...pending.map((event) => ({
            event,
            code: (error as Error)?.name ?? 'Error',
            message: (error as Error)?.message,
          })),
        );
        break;
      }
      const retryable = failed.filter((f) => retryableCodes.has(f.code));
      refused.push(...failed.filter((f) => !retryableCodes.has(f.code)));
      if (retryable.length === 0) break;
      if (attempt >= attempts) {
        refused.push(...retryable);
        break;
      }
      pending = retryable.map((f) => f.event);
      await sleep(backoffDelay(attempt, baseDelayMs, maxDelayMs));
    }
  }
  return refused;
}

/** For a step with no state to write the events with: puts them, and throws PublishError if any was refused. */
export async function publishEvents(
  client: Pick<EventBridgeClient, 'send'>,
  busName: string,
  events: OutboxEntry[],
  options?: PutOptions,
): Promise<void> {
  const refused = await putEvents(client, busName, events, options);
  if (refused.length > 0) throw new PublishError(refused);
}
