import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { backoffDelay } from '../retry.ts';
import type { OutboxEntry } from './outbox.ts';

/** EventBridge: at most 10 entries per PutEvents call. */
export const maxEntriesPerCall = 10;
/** EventBridge: one event, and the entries of one PutEvents call together, at most 1 MB (docs/design.md#event-size). */
export const maxPutBytes = 1024 * 1024;

/** EventBridge's size of an entry: Time (14 bytes if set) + Source + DetailType + Detail + Resources, in UTF-8. */
export const entrySize = (entry: Omit<PutEventsRequestEntry, 'Time'> & { Time?: unknown }): number =>
  [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])].reduce(
    (sum, text) => sum + (text ? Buffer.byteLength(text) : 0),
    entry.Time === undefined ? 0 : 14,
  );

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
  /**
   * True when EventBridge refused this entry itself with a non-retryable code: putting it again
   * fails the same way until something outside it changes (a grant, the bus). False for a retryable
   * code that ran out of attempts, an entry without a result, or an error of the whole call.
   */
  final: boolean;
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
  /** Calls per group (ten events or 1 MB), the first included. */
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

/** The calls events go in, in order: at most ten a call, together at most 1 MB (one larger goes alone, refused on its own). */
function callsOf(
  events: OutboxEntry[],
  entryOf: (event: OutboxEntry) => PutEventsRequestEntry,
): OutboxEntry[][] {
  const calls: OutboxEntry[][] = [];
  let bytes = 0;
  for (const event of events) {
    const size = entrySize(entryOf(event));
    const last = calls.at(-1);
    if (last && last.length < maxEntriesPerCall && bytes + size <= maxPutBytes) {
      last.push(event);
      bytes += size;
    } else {
      calls.push([event]);
      bytes = size;
    }
  }
  return calls;
}

/**
 * Puts events on a bus, ten per call at most and 1 MB a call at most, and answers which it refused. PutEvents answers 200 even when
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
  // Each event's entry is written once (its Detail is the event as JSON), for its size and its calls.
  const entries = new Map<OutboxEntry, PutEventsRequestEntry>();
  const entryOf = (event: OutboxEntry) => {
    let entry = entries.get(event);
    if (!entry) {
      entry = toRequestEntry(event, busName);
      entries.set(event, entry);
    }
    return entry;
  };
  for (const call of callsOf(events, entryOf)) {
    let pending = call;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let failed: RefusedEvent[];
      try {
        const result = await client.send(new PutEventsCommand({ Entries: pending.map(entryOf) }));
        failed = pending.flatMap((event, i) => {
          const outcome = result.Entries?.[i];
          if (outcome?.EventId && !outcome.ErrorCode) return [];
          const code = outcome?.ErrorCode ?? 'NoResult';
          return [
            {
              event,
              code,
              message: outcome?.ErrorMessage,
              final: outcome?.ErrorCode !== undefined && !retryableCodes.has(code),
            },
          ];
        });
      } catch (error) {
        refused.push(
          ...pending.map((event) => ({
            event,
            code: (error as Error)?.name ?? 'Error',
            message: (error as Error)?.message,
            final: false,
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
