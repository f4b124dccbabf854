import type { ParkedEntry } from '#shared/db/outbox-publishing.ts';
import { deadLetterRetentionSeconds } from '../topology.ts';
import type { BusEvent, DeadLetter } from './bus/bus.ts';
import type { QueueDeadLetter } from './queues/index.ts';
import type { ScheduleDeadLetter } from './scheduler.ts';
import type { StreamDeadLetter } from './streams/index.ts';

/**
 * Everything the local cloud holds that `POST /_local/dlq/redrive` takes, by kind, each under the key
 * the redrive's answer counts it by: `GET /_local/dlq` answers it and the console lists it
 * (docs/design.md#the-local-console).
 */
export interface DeadLetters {
  /** Events whose asynchronous invocation ran out of retries (the functions' on-failure queues). */
  deadLetters: (Omit<DeadLetter, 'event'> & { event: BusEventSummary })[];
  /** A stream mapping's on-failure destination gets the batch's position, not its records. */
  streamBatches: StreamDeadLetter[];
  /** Messages a queue trigger's queue moved to its dead-letter queue. */
  queueMessages: QueueDeadLetter[];
  /** What schedules could not put on the bus after their retries (docs/design.md#schedules). */
  scheduleDeadLetters: ScheduleDeadLetter[];
  /** Outbox entries the bus refused for good, oldest first (docs/design.md#the-outbox). */
  outboxEntries: ParkedEntry[];
  queueDepths: Record<string, unknown>;
  /**
   * The dead letters of each kind that outlived their queue's retention in this run (takeOutExpired), and
   * under `queueMessages` the messages a queue trigger's queue found past its own retention at start.
   */
  expired: {
    deadLetters: (Omit<DeadLetter, 'event'> & { event: BusEventSummary })[];
    streamBatches: StreamDeadLetter[];
    queueMessages: QueueDeadLetter[];
    scheduleDeadLetters: ScheduleDeadLetter[];
  };
}

export interface DeadLetterSources {
  bus: { deadLetters(): DeadLetter[]; expiredDeadLetters(): DeadLetter[] };
  scheduler: { deadLetters(): ScheduleDeadLetter[]; expiredDeadLetters(): ScheduleDeadLetter[] };
  streamDeadLetters: () => StreamDeadLetter[];
  expiredStreamDeadLetters?: () => StreamDeadLetter[];
  queues?: {
    deadLetters: () => QueueDeadLetter[];
    expiredDeadLetters: () => QueueDeadLetter[];
    depths: () => Record<string, unknown>;
  };
  outbox?: { parked: (limit: number) => Promise<ParkedEntry[]> };
}

/**
 * Whether a dead letter first sent to a queue at `sentAt` (epoch ms or ISO 8601) is still kept at the
 * local clock's now (or a queue's message, given its queue's `retentionSeconds`): SQS deletes a message
 * once it is older than its queue's retention period, every dead-letter queue's being
 * deadLetterRetentionSeconds ("For standard queues, the expiration of a
 * message is always based on its original enqueue timestamp", SQS Developer Guide, dead-letter queue
 * retention). Read from the letter itself, so a letter read back after a restart expires as it would
 * have (docs/design.md#failures-and-retries).
 */
const stillRetained = (
  sentAt: number | string,
  retentionSeconds: number = deadLetterRetentionSeconds,
): boolean =>
  Date.now() - (typeof sentAt === 'number' ? sentAt : Date.parse(sentAt)) < retentionSeconds * 1000;

/**
 * Takes out of `letters` (in place) those no longer retained (stillRetained, by each letter's `sentAt`,
 * under a dead-letter queue's retention or the `retentionSeconds` given, a queue's own) and adds them to
 * `expired`, what this run saw expire: SQS deletes them unseen, but on AWS their queue's alarm went off
 * while they waited, so `GET /_local/dlq` still names them (`expired`), and a test run that left a dead
 * letter unexamined fails even when a later jump of the clock expired it. A queue's messages read back at
 * start go the same way. Answers whether any expired (the caller rewrites its file).
 */
export function takeOutExpired<T>(
  letters: T[],
  sentAt: (letter: T) => number | string,
  expired: T[],
  retentionSeconds: number = deadLetterRetentionSeconds,
): boolean {
  const kept: T[] = [];
  const gone: T[] = [];
  for (const letter of letters) (stillRetained(sentAt(letter), retentionSeconds) ? kept : gone).push(letter);
  if (gone.length === 0) return false;
  letters.splice(0, letters.length, ...kept);
  expired.push(...gone);
  return true;
}

/** How many parked outbox entries are listed: the redrive takes them all. */
const parkedListed = 100;

export async function deadLettersOf(sources: DeadLetterSources): Promise<DeadLetters> {
  return {
    deadLetters: sources.bus.deadLetters().map((d) => ({ ...d, event: busEventSummary(d.event) })),
    streamBatches: sources.streamDeadLetters(),
    queueMessages: sources.queues?.deadLetters() ?? [],
    scheduleDeadLetters: sources.scheduler.deadLetters(),
    outboxEntries: (await sources.outbox?.parked(parkedListed)) ?? [],
    queueDepths: sources.queues?.depths() ?? {},
    expired: {
      deadLetters: sources.bus.expiredDeadLetters().map((d) => ({ ...d, event: busEventSummary(d.event) })),
      streamBatches: sources.expiredStreamDeadLetters?.() ?? [],
      queueMessages: sources.queues?.expiredDeadLetters() ?? [],
      scheduleDeadLetters: sources.scheduler.expiredDeadLetters(),
    },
  };
}

export type BusEventSummary = ReturnType<typeof busEventSummary>;

/** An event as the local routes list it. */
export function busEventSummary(event: BusEvent) {
  return {
    id: event.id,
    source: event.source,
    detailType: event['detail-type'],
    time: event.time,
    detail: event.detail,
    ...(event['replay-name'] ? { replayName: event['replay-name'] } : {}),
  };
}
