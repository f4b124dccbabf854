import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/publisher/handler.ts';
import { publishEntries, publishStreamed } from '#functions/publisher/publish.ts';
import { sweepAfterMs, sweepOutbox } from '#functions/publisher/sweep.ts';
import { type ItemKey, outboxItem } from '#shared/db/outbox.ts';
import { unpublishedKey } from '#shared/db/outbox-keys.ts';
import {
  type Outbox,
  parkedMetric,
  type StoredOutboxEntry,
  storedOutboxEntryOf,
  unpublishableMetric,
} from '#shared/db/outbox-publishing.ts';
import { type ReplayPage, type WebhookRecord, type WebhookRef, webhookKey } from '#shared/db/webhooks.ts';
import {
  buildDetail,
  OutboxSweepDue,
  OutletSuppressed,
  outboxEntry,
  ShowAdvanced,
} from '#shared/events/index.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import { anEvent } from '#test/support/events.ts';
import { aContext, aReleaseWebhook } from '#test/support/intake.ts';
import { RecordedMeasure } from '#test/support/measure.ts';

const now = new Date('2027-03-05T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();

const anEventEntry = (eventId: string, createdAt = now.toISOString()): StoredOutboxEntry => ({
  kind: 'event',
  key: { pk: `OUTBOX#${eventId}`, sk: 'OUTBOX' },
  createdAt,
  event: outboxEntry(OutletSuppressed, OutletSuppressed.sample, { eventId }),
});

const aWebhookEntry = (webhookId: string, body: unknown = aReleaseWebhook()): StoredOutboxEntry => {
  const webhook: WebhookRecord = {
    labelId: 'lbl',
    webhookId,
    eventId: `evt-${webhookId}`,
    type: 'release.scheduled',
    body: JSON.stringify(body),
    receivedAt: now.toISOString(),
    status: 'pending',
    expiresAt: 1_900_000_000,
  };
  return {
    kind: 'webhook',
    key: { pk: `WEBHOOK#lbl#${webhookId}`, sk: 'WEBHOOK' },
    createdAt: webhook.receivedAt,
    webhook,
  };
};

/**
 * An outbox whose unpublished entries are `waiting` (an entry marked or parked leaves it), and a bus
 * that refuses the event ids in `refuse` for now (InternalFailure) and those in `refuseForGood` with
 * their non-retryable code.
 */
function publisher(waiting: StoredOutboxEntry[] = []) {
  const published: OutboxEntry[] = [];
  const marked: ItemKey[] = [];
  const unpublishable: ItemKey[] = [];
  const parked: { key: ItemKey; eventId: string; code: string; message?: string; at: Date }[] = [];
  const warnings: Record<string, unknown>[] = [];
  const errors: Record<string, unknown>[] = [];
  const toldReplays: (ReplayPage & Pick<WebhookRef, 'webhookId' | 'format'> & { reason: string })[] = [];
  const refuse = new Set<string>();
  const refuseForGood = new Map<string, string>();
  const leave = (key: ItemKey) => {
    const index = waiting.findIndex((entry) => entry.key.pk === key.pk);
    if (index >= 0) waiting.splice(index, 1);
  };
  const outbox: Outbox = {
    unpublishedBefore: async (before) => waiting.filter((entry) => entry.createdAt < before.toISOString()),
    markPublished: async (key) => {
      // Conditional, as the store's: an entry marked before is not marked (nor counted) again.
      if (marked.some((k) => k.pk === key.pk)) return false;
      leave(key);
      marked.push(key);
      return true;
    },
    markUnpublishable: async (key) => void unpublishable.push(key),
    markParked: async (entry, refusal, at) => {
      // Conditional, as the store's: an entry parked before is not parked (nor counted) again.
      if (parked.some((p) => p.eventId === entry.eventId)) return false;
      leave(entry.key);
      parked.push({ ...entry, code: refusal.code, message: refusal.message, at });
      return true;
    },
    parkedCount: async () => parked.length,
  };
  const deps = {
    outbox,
    bus: {
      put: async (events: OutboxEntry[]) =>
        events.flatMap((event) => {
          if (refuse.has(event.eventId)) return [{ event, code: 'InternalFailure', final: false }];
          const code = refuseForGood.get(event.eventId);
          if (code) return [{ event, code, message: `${code} for ${event.source}`, final: true }];
          published.push(event);
          return [];
        }),
    },
    replays: {
      record: async (by: ReplayPage, { webhookId, format }: WebhookRef, reason: string) =>
        void toldReplays.push({ ...by, webhookId, ...(format ? { format } : {}), reason }),
    },
    now: () => now,
    log: {
      info: () => {},
      warn: (_message: string, ...extra: Record<string, unknown>[]) => void warnings.push(...extra),
      error: (_message: string, ...extra: Record<string, unknown>[]) => void errors.push(...extra),
    },
  };
  return {
    deps,
    published,
    marked,
    unpublishable,
    parked,
    refuse,
    refuseForGood,
    warnings,
    errors,
    toldReplays,
  };
}

describe('the publisher', () => {
  it('puts stored events as they are, builds a webhook’s event from its raw body, and marks each published', async () => {
    const world = publisher();
    const entries = [anEventEntry('evt-1'), aWebhookEntry('msg_1')];

    const outcome = await publishEntries(entries, world.deps);

    expect(world.published.map((e) => [e.eventId, e.source, e.detailType])).toEqual([
      ['evt-1', 'backline.deliverability', 'Outlet Suppressed'],
      ['evt-msg_1', 'backline.intake', 'Release Scheduled'],
    ]);
    expect(world.published[1].detail.metadata).toMatchObject({ labelId: 'lbl', webhookId: 'msg_1' });
    expect(world.marked).toEqual(entries.map((entry) => entry.key));
    expect(outcome.refused).toEqual([]);
  });

  it('leaves what the bus refused unmarked and reports those stream records as failed items', async () => {
    const world = publisher();
    world.refuse.add('evt-2');
    const records = ['evt-1', 'evt-2', 'evt-3'].map((id, i) => ({
      sequenceNumber: `${100 + i}`,
      entry: anEventEntry(id),
    }));

    const response = await publishStreamed(records, world.deps);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '101' }] });
    expect(world.marked.map((key) => key.pk)).toEqual(['OUTBOX#evt-1', 'OUTBOX#evt-3']);
  });

  it('takes a webhook whose body no longer makes a valid event off the outbox, without blocking the others', async () => {
    const world = publisher();
    const poison = aWebhookEntry('msg_bad', { type: 'release.scheduled', timestamp: 'yesterday', data: {} });

    const response = await publishStreamed(
      [
        { sequenceNumber: '1', entry: poison },
        { sequenceNumber: '2', entry: anEventEntry('evt-1') },
      ],
      world.deps,
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(world.unpublishable).toEqual([poison.key]);
    expect(world.published.map((e) => e.eventId)).toEqual(['evt-1']);
    expect(world.toldReplays).toEqual([]);
    // Counted for the unpublishable alarm (infra/stack.ts), one a record.
    expect(world.errors).toEqual([
      expect.objectContaining({ key: poison.key, [unpublishableMetric.field]: 1 }),
    ]);
  });

  it('tells the replay that put a webhook back, naming its page, when its event can no longer be built', async () => {
    const world = publisher();
    const poison = aWebhookEntry('msg_bad', { type: 'release.scheduled', timestamp: 'yesterday', data: {} });
    if (poison.kind !== 'webhook') throw new Error('a webhook entry');
    poison.webhook.replayedByPages = [{ jobId: 'job-replay', page: 2 }];

    await publishEntries([poison, aWebhookEntry('msg_good')], world.deps);

    expect(world.unpublishable).toEqual([poison.key]);
    expect(world.toldReplays).toEqual([
      { jobId: 'job-replay', page: 2, webhookId: 'msg_bad', reason: expect.stringMatching(/timestamp/) },
    ]);
  });
});

describe('the outbox sweep', () => {
  it('republishes only entries left unpublished longer than the stream path needs, and counts those over five minutes', async () => {
    const fresh = anEventEntry('evt-fresh', minutesAgo(1));
    const stale = anEventEntry('evt-stale', minutesAgo(4));
    const overdue = anEventEntry('evt-overdue', minutesAgo(7));
    const world = publisher([overdue, stale, fresh]);

    const result = await sweepOutbox(world.deps);

    expect(sweepAfterMs).toBe(3 * 60_000);
    expect(world.published.map((e) => e.eventId)).toEqual(['evt-overdue', 'evt-stale']);
    expect(result).toEqual({
      republished: 2,
      stillUnpublished: 0,
      parked: 0,
      unpublishedOverFiveMinutes: 1,
      parkedNow: 0,
    });
    expect(world.warnings).toEqual([
      expect.objectContaining({ unpublishedOverFiveMinutes: 1, oldestCreatedAt: overdue.createdAt }),
    ]);
  });

  it('counts a replayed webhook as unpublished since its replay, not since it was received', async () => {
    // The item as a replay leaves it: received ten days ago, back on the unpublished index four minutes ago.
    const replayed = storedOutboxEntryOf({
      ...webhookKey('lbl', 'wh-replayed'),
      ...unpublishedKey(minutesAgo(4), 'evt-replayed'),
      entity: 'webhook',
      labelId: 'lbl',
      webhookId: 'wh-replayed',
      eventId: 'evt-replayed',
      type: 'release.scheduled',
      body: JSON.stringify(aReleaseWebhook()),
      receivedAt: minutesAgo(10 * 24 * 60),
      status: 'pending',
      expiresAt: 1_900_000_000,
    })!;
    const world = publisher([replayed]);

    const result = await sweepOutbox(world.deps);

    expect(replayed.createdAt).toBe(minutesAgo(4));
    expect(result).toEqual({
      republished: 1,
      stillUnpublished: 0,
      parked: 0,
      unpublishedOverFiveMinutes: 0,
      parkedNow: 0,
    });
    expect(world.warnings).toEqual([]);
  });

  it('throws when the bus refused some, which stay unpublished for the next sweep', async () => {
    const world = publisher([anEventEntry('evt-1', minutesAgo(4)), anEventEntry('evt-2', minutesAgo(4))]);
    world.refuse.add('evt-2');

    await expect(sweepOutbox(world.deps)).rejects.toThrow(/refused 1 of 2/);
    expect(world.marked.map((key) => key.pk)).toEqual(['OUTBOX#evt-1']);
  });
});

describe('an entry the bus refuses for good', () => {
  it('is parked with its code, message and time, and the sweep succeeds for the others and does not take it again', async () => {
    const world = publisher([anEventEntry('evt-1', minutesAgo(4)), anEventEntry('evt-2', minutesAgo(4))]);
    world.refuseForGood.set('evt-2', 'NotAuthorizedForSourceException');

    const first = await sweepOutbox(world.deps);
    const second = await sweepOutbox(world.deps);

    expect(first).toMatchObject({ republished: 1, stillUnpublished: 0, parked: 1, parkedNow: 1 });
    expect(world.marked.map((key) => key.pk)).toEqual(['OUTBOX#evt-1']);
    expect(world.parked).toEqual([
      {
        key: { pk: 'OUTBOX#evt-2', sk: 'OUTBOX' },
        eventId: 'evt-2',
        code: 'NotAuthorizedForSourceException',
        message: 'NotAuthorizedForSourceException for backline.deliverability',
        at: now,
      },
    ]);
    expect(second).toEqual({
      republished: 0,
      stillUnpublished: 0,
      parked: 0,
      unpublishedOverFiveMinutes: 0,
      parkedNow: 1,
    });
    expect(world.errors).toEqual([
      { parked: [expect.objectContaining({ eventId: 'evt-2', code: 'NotAuthorizedForSourceException' })] },
    ]);
  });

  it('is parked from the stream path too, not reported as a failed item for the mapping to retry, and reported parked by the next sweep', async () => {
    const world = publisher();
    world.refuseForGood.set('evt-2', 'AccessDeniedException');
    const measure = new RecordedMeasure();
    const handler = makeHandler(world.deps, measure);
    const streamRecord = (eventId: string, sequenceNumber: string) => ({
      eventSource: 'aws:dynamodb',
      eventName: 'INSERT',
      dynamodb: {
        SequenceNumber: sequenceNumber,
        NewImage: marshall(
          outboxItem(outboxEntry(OutletSuppressed, OutletSuppressed.sample, { eventId }), now.toISOString()),
        ),
      },
    });

    const response = await handler(
      { Records: [streamRecord('evt-1', '1'), streamRecord('evt-2', '2')] },
      aContext(),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(world.parked.map((p) => p.eventId)).toEqual(['evt-2']);
    await handler(anEvent(OutboxSweepDue, buildDetail(OutboxSweepDue, {})), aContext());
    expect(world.warnings).toEqual([{ [parkedMetric.field]: 1 }]);
  });

  it('records what an entry’s publication counts once, by the call that marks it published, however often the stream and the sweep publish it', async () => {
    const submitted = outboxEntry(
      ShowAdvanced,
      { ...ShowAdvanced.sample, amended: false },
      { eventId: 'evt-first' },
    );
    const amended = outboxEntry(
      ShowAdvanced,
      { ...ShowAdvanced.sample, amended: true },
      { eventId: 'evt-again' },
    );
    const stored = (entry: OutboxEntry) => storedOutboxEntryOf(outboxItem(entry, minutesAgo(4)))!;
    const world = publisher([stored(submitted), stored(amended)]);
    world.refuse.add('evt-first');
    const measure = new RecordedMeasure();
    const handler = makeHandler(world.deps, measure);
    const batch = {
      Records: [submitted, amended].map((entry, i) => ({
        eventSource: 'aws:dynamodb',
        eventName: 'INSERT',
        dynamodb: { SequenceNumber: String(i + 1), NewImage: marshall(outboxItem(entry, minutesAgo(4))) },
      })),
    };

    // The stream's batch, the bus refusing the first submission's event for now; the sweep, which
    // publishes and marks it; the mapping's retry of the batch, which publishes it again.
    const streamed = await handler(batch, aContext());
    world.refuse.clear();
    await handler(anEvent(OutboxSweepDue, buildDetail(OutboxSweepDue, {})), aContext());
    await handler(batch, aContext());

    expect(streamed).toEqual({ batchItemFailures: [{ itemIdentifier: '1' }] });
    expect(world.published.map((e) => e.eventId)).toEqual([
      'evt-again',
      'evt-first',
      'evt-first',
      'evt-again',
    ]);
    expect(measure.records.filter((r) => r.name !== 'OutboxLag')).toEqual([
      { name: 'AdvancesSubmitted', dimensions: {}, value: 1 },
    ]);
  });

  it('still fails the sweep when the bus refused some for now, which stay unpublished', async () => {
    const world = publisher([anEventEntry('evt-1', minutesAgo(4)), anEventEntry('evt-2', minutesAgo(4))]);
    world.refuse.add('evt-1');
    world.refuseForGood.set('evt-2', 'InvalidArgument');

    await expect(sweepOutbox(world.deps)).rejects.toThrow(/refused 1 of 2/);
    expect(world.parked.map((p) => p.eventId)).toEqual(['evt-2']);
  });

  it('is reported parked by the sweep that parked it although that sweep fails for another entry refused for now, and by every sweep after while it stays parked', async () => {
    const world = publisher([anEventEntry('evt-1', minutesAgo(4)), anEventEntry('evt-2', minutesAgo(4))]);
    world.refuse.add('evt-1');
    world.refuseForGood.set('evt-2', 'NotAuthorizedForSourceException');
    const handler = makeHandler(world.deps, new RecordedMeasure());
    const sweepDue = () => handler(anEvent(OutboxSweepDue, buildDetail(OutboxSweepDue, {})), aContext());
    const reported = () =>
      world.warnings.flatMap((w) => (parkedMetric.field in w ? [w[parkedMetric.field]] : []));

    await expect(sweepDue()).rejects.toThrow(/refused 1 of 2/);
    expect(world.parked.map((p) => p.eventId)).toEqual(['evt-2']);
    expect(reported()).toEqual([1]);

    // A minute later evt-2 is still parked (no redrive): the parked alarm's metric must still say so.
    await expect(sweepDue()).rejects.toThrow(/refused 1 of 1/);
    expect(reported()).toEqual([1, 1]);
  });
});
