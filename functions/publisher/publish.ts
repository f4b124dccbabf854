import { type Outbox, type StoredOutboxEntry, unpublishableMetric } from '#shared/db/outbox-publishing.ts';
import type { ReplayRejections } from '#shared/db/replay-rejections.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import type { RefusedEvent } from '#shared/events/publish.ts';
import { type Measure, noMeasure } from '#shared/lambda/metrics.ts';
import type { Log } from '#shared/lambda/observability.ts';

/** Puts events on the Backline bus (ten per call, retrying failed entries) and answers those it refused. */
export interface EventBus {
  put(events: OutboxEntry[]): Promise<RefusedEvent[]>;
}

export interface PublisherDeps {
  outbox: Outbox;
  bus: EventBus;
  /** Told of a replayed record whose event can no longer be built, so the replay lists it. */
  replays: ReplayRejections;
  now: () => Date;
  log: Log;
}

export interface PublishOutcome {
  published: StoredOutboxEntry[];
  /** Refused by the bus for now: still unpublished, for a retry of the batch or the sweep. */
  refused: StoredOutboxEntry[];
  /** Refused by the bus for good, and parked by this call (docs/design.md#the-outbox). */
  parked: StoredOutboxEntry[];
  /** Their event can no longer be built: taken off the outbox's index, logged. */
  unpublishable: StoredOutboxEntry[];
}

/**
 * The event an entry stands for: stored as such, or built from a recorded webhook's raw body. The
 * webhook parser (every label payload's schema, the DDEX ERN reader) is loaded on the first webhook
 * record an instance publishes: the other entries, most of what the publisher handles, need none of
 * it, and building it at load took about 16 ms of every cold start (docs/design.md#bundles).
 */
async function eventOf(entry: StoredOutboxEntry): Promise<{ event: OutboxEntry } | { problem: string }> {
  if (entry.kind === 'event') return { event: entry.event };
  const { parseRecordedBody, webhookEvent } = await import('#shared/webhooks.ts');
  const parsed = await parseRecordedBody(entry.webhook);
  if (!parsed.ok) return { problem: parsed.error.message };
  try {
    return { event: webhookEvent(parsed.body, entry.webhook) };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/**
 * The business facts an event's publication counts: those a conditional write decides, whose answer
 * its caller may never read (lost, or a 503 after DynamoDB took it). Recorded by the one call that marks
 * the entry published, so once however often it is published (docs/design.md#observability). Events are
 * told by their detail-type's name: their contracts' modules would bring their schemas into this bundle.
 */
const publicationCounts: {
  of: (event: OutboxEntry) => boolean;
  record: (measure: Measure, event: OutboxEntry) => void;
}[] = [
  // An advance's first submission: the Show Advanced of the save that found no advance stored
  // (test/unit/tours/advance-counted-once.test.ts publishes the contract's events; the tours events'
  // schemas are 1.3 KB, built at load).
  {
    of: (event) =>
      event.detailType === 'Show Advanced' && (event.detail.data as { amended?: boolean }).amended === false,
    record: (measure) => measure.record('AdvancesSubmitted', {}),
  },
  // An address suppressed: only the write that suppresses it writes its Outlet Suppressed.
  {
    of: (event) => event.detailType === 'Outlet Suppressed',
    record: (measure, event) =>
      measure.record('Suppressions', { reason: (event.detail.data as { reason: string }).reason }),
  },
];

/**
 * Publishes outbox entries and marks each one the bus took as published (a conditional update that
 * takes it off the unpublished index). An entry the bus refused stays unpublished: the caller retries
 * it, and the sweep republishes it if all else fails. Publishing twice is harmless: the event keeps
 * its eventId, and every consumer is idempotent. What an entry's publication counts (`publicationCounts`) is
 * recorded by the call that marks it, so once however often it is published. See docs/design.md#the-outbox.
 */
export async function publishEntries(
  entries: StoredOutboxEntry[],
  deps: PublisherDeps,
  measure: Measure = noMeasure,
): Promise<PublishOutcome> {
  const outcome: PublishOutcome = { published: [], refused: [], parked: [], unpublishable: [] };
  const ready: { entry: StoredOutboxEntry; event: OutboxEntry }[] = [];
  for (const entry of entries) {
    const built = await eventOf(entry);
    if ('event' in built) {
      ready.push({ entry, event: built.event });
      continue;
    }
    // Only possible if a schema changed incompatibly after the webhook was accepted: keep the
    // record, but stop retrying it (a poison entry must not block every later batch and sweep).
    deps.log.error('an outbox entry no longer makes a valid event', {
      key: entry.key,
      problem: built.problem,
      [unpublishableMetric.field]: 1,
    });
    // Put back by replays (an ERN message the reader, stricter since, now refuses): each replay that put it
    // back since it was last published says so, told first, so that a failure leaves the record in the
    // outbox to be tried again (a replay told already finds its row written).
    if (entry.kind === 'webhook') {
      for (const by of entry.webhook.replayedByPages ?? [])
        await deps.replays.record(by, entry.webhook, built.problem, deps.now());
    }
    await deps.outbox.markUnpublishable(entry.key, built.problem);
    outcome.unpublishable.push(entry);
  }
  if (ready.length === 0) return outcome;

  const refused = await deps.bus.put(ready.map((r) => r.event));
  const refusals = new Map(refused.map((r) => [r.event.eventId, r]));
  const describe = (r: RefusedEvent) => ({ eventId: r.event.eventId, code: r.code, message: r.message });
  const forNow = refused.filter((r) => !r.final);
  if (forNow.length > 0) {
    deps.log.warn('the bus refused outbox events; they stay unpublished', { refused: forNow.map(describe) });
  }
  const at = deps.now();
  const parking: { entry: StoredOutboxEntry; refusal: RefusedEvent }[] = [];
  const taken: typeof ready = [];
  for (const { entry, event } of ready) {
    const refusal = refusals.get(event.eventId);
    if (!refusal) taken.push({ entry, event });
    else if (refusal.final) parking.push({ entry, refusal });
    else outcome.refused.push(entry);
  }
  outcome.published = taken.map(({ entry }) => entry);
  await Promise.all([
    // What an entry's publication counts, recorded by the one call that marks it (docs/design.md#observability).
    ...taken.map(async ({ entry, event }) => {
      if (!(await deps.outbox.markPublished(entry.key, at))) return;
      for (const { record } of publicationCounts.filter(({ of }) => of(event))) record(measure, event);
    }),
    // Refused for good (a grant, the bus): retrying cannot help, and would fail every batch and every
    // sweep. Parked with the refusal, it waits for the operator's redrive once the cause is fixed.
    ...parking.map(async ({ entry, refusal }) => {
      if (await deps.outbox.markParked({ key: entry.key, eventId: refusal.event.eventId }, refusal, at))
        outcome.parked.push(entry);
    }),
  ]);
  if (parking.length > 0) {
    deps.log.error('the bus refused outbox events for good; they are parked until a redrive', {
      parked: parking.map(({ refusal }) => describe(refusal)),
    });
  }
  return outcome;
}

/** One stream record that passed the filter: its sequence number and the entry in its new image. */
export interface StreamedEntry {
  sequenceNumber: string;
  entry: StoredOutboxEntry | undefined;
}

/**
 * A batch from the table's stream. Answers Lambda's partial batch response: the records whose
 * events the bus refused for now, so the event source mapping retries from the first of them (and,
 * when its retries run out, records the batch on its on-failure queue; the sweep still has the
 * entries). Entries it parks are the sweep's to report (docs/design.md#the-outbox).
 */
export async function publishStreamed(
  records: StreamedEntry[],
  deps: PublisherDeps,
  measure: Measure = noMeasure,
): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const entries = records.flatMap((record) => (record.entry ? [record.entry] : []));
  const { refused } = await publishEntries(entries, deps, measure);
  const failed = new Set(refused);
  return {
    batchItemFailures: records
      .filter((record) => record.entry && failed.has(record.entry))
      .map((record) => ({ itemIdentifier: record.sequenceNumber })),
  };
}
