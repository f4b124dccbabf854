import { describe, expect, it } from 'vitest';
import { publishEntries, publishStreamed } from '#functions/publisher/publish.ts';
import { sweepAfterMs, sweepOutbox } from '#functions/publisher/sweep.ts';
import {
  type ItemKey,
  type Outbox,
  type StoredOutboxEntry,
  storedOutboxEntryOf,
  unpublishedKey,
} from '#shared/db/outbox.ts';
import { type WebhookRecord, webhookKey } from '#shared/db/webhooks.ts';
import { OutletSuppressed, outboxEntry } from '#shared/events/index.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import { aReleaseWebhook } from '#test/support/intake.ts';

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

/** An outbox whose unpublished entries are `waiting`, and a bus that refuses the event ids in `refuse`. */
function publisher(waiting: StoredOutboxEntry[] = []) {
  const published: OutboxEntry[] = [];
  const marked: ItemKey[] = [];
  const unpublishable: ItemKey[] = [];
  const warnings: Record<string, unknown>[] = [];
  const refuse = new Set<string>();
  const outbox: Outbox = {
    unpublishedBefore: async (before) => waiting.filter((entry) => entry.createdAt < before.toISOString()),
    markPublished: async (key) => void marked.push(key),
    markUnpublishable: async (key) => void unpublishable.push(key),
  };
  const deps = {
    outbox,
    bus: {
      put: async (events: OutboxEntry[]) =>
        events.flatMap((event) => {
          if (refuse.has(event.eventId)) return [{ event, code: 'InternalFailure' }];
          published.push(event);
          return [];
        }),
    },
    now: () => now,
    log: {
      info: () => {},
      warn: (_message: string, ...extra: Record<string, unknown>[]) => void warnings.push(...extra),
      error: () => {},
    },
  };
  return { deps, published, marked, unpublishable, refuse, warnings };
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
    expect(result).toEqual({ republished: 2, stillUnpublished: 0, unpublishedOverFiveMinutes: 1 });
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
    expect(result).toEqual({ republished: 1, stillUnpublished: 0, unpublishedOverFiveMinutes: 0 });
    expect(world.warnings).toEqual([]);
  });

  it('throws when the bus refused some, which stay unpublished for the next sweep', async () => {
    const world = publisher([anEventEntry('evt-1', minutesAgo(4)), anEventEntry('evt-2', minutesAgo(4))]);
    world.refuse.add('evt-2');

    await expect(sweepOutbox(world.deps)).rejects.toThrow(/refused 1 of 2/);
    expect(world.marked.map((key) => key.pk)).toEqual(['OUTBOX#evt-1']);
  });
});
