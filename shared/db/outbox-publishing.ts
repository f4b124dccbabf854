import { randomUUID } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  paginateQuery,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '../events/outbox.ts';
import { keptBy, type OwnWrite, writtenUnlessRefused } from './conditions.ts';
import type { ItemKey } from './outbox.ts';
import {
  publishedRetentionSeconds,
  unpublishedKey,
  unpublishedPrefix,
  unpublishedShards,
} from './outbox-keys.ts';
import { type WebhookRecord, webhookRecordOf } from './webhooks.ts';

/**
 * The outbox as the publisher reads and marks it, and as the operator puts parked entries back (access
 * patterns: shared/db/outbox.ts). In a module of its own, because a function's DynamoDB grants follow
 * the modules it imports (docs/design.md#topology): the publisher Queries and Updates, and never writes
 * state with the outbox nor records a webhook; the writers never read the outbox.
 */

const parkedPartition = 'OUTBOX#PARKED';
const parkedSort = (parkedAt: string, eventId: string) => `${parkedAt}#${eventId}`;

/** An unpublished entry as the publisher reads it from the stream or the sweep. */
export type StoredOutboxEntry =
  | { kind: 'event'; key: ItemKey; createdAt: string; event: OutboxEntry }
  | { kind: 'webhook'; key: ItemKey; createdAt: string; webhook: WebhookRecord };

/** Reads an item (a stream image, unmarshalled, or a query result) as an outbox entry; undefined if it is none. */
export function storedOutboxEntryOf(item: Record<string, unknown>): StoredOutboxEntry | undefined {
  const key = { pk: String(item.pk), sk: String(item.sk) };
  // An entry put back on the unpublished index (a replayed webhook, a parked entry redriven) is
  // unpublished since then, not since it was written.
  const queuedAt = typeof item.gsi2sk === 'string' ? item.gsi2sk.slice(0, item.gsi2sk.indexOf('#')) : '';
  if (item.entity === 'outbox') {
    return {
      kind: 'event',
      key,
      createdAt: queuedAt || String(item.createdAt),
      event: {
        eventId: String(item.eventId),
        source: String(item.source),
        detailType: String(item.detailType),
        detail: JSON.parse(String(item.detail)),
      },
    };
  }
  if (item.entity === 'webhook') {
    const webhook = webhookRecordOf(item);
    return { kind: 'webhook', key, createdAt: queuedAt || webhook.receivedAt, webhook };
  }
  return undefined;
}

/** The publisher's port over outbox entries. */
export interface Outbox {
  /** Entries still unpublished that were written before `before`, oldest first per index partition. */
  unpublishedBefore(before: Date, limit: number): Promise<StoredOutboxEntry[]>;
  /**
   * Marks an entry published, taking it off the unpublished index; an entry marked before (or parked, or
   * gone) is left alone. True when this call marked it, so what its publication counts is counted once.
   */
  markPublished(key: ItemKey, at: Date): Promise<boolean>;
  /** Takes an entry whose event can no longer be built off the index, so no one retries it again. */
  markUnpublishable(key: ItemKey, reason: string): Promise<void>;
  /**
   * Parks an entry the bus refused for good (a non-retryable error code for that entry): off the
   * unpublished index, onto the parked one, with the code, the message and when. True when this
   * call parked it (false: it was published, parked or gone meanwhile), so it is counted once.
   */
  markParked(
    entry: { key: ItemKey; eventId: string },
    refusal: { code: string; message?: string },
    at: Date,
  ): Promise<boolean>;
  /** How many entries are parked now (a count on the parked index): the sweep reports it every minute. */
  parkedCount(): Promise<number>;
}

/** An entry the bus refused for good, as the operator sees it. */
export interface ParkedEntry {
  key: ItemKey;
  eventId: string;
  /** For an outbox item; a webhook record's event is built from its body when published. */
  source?: string;
  detailType?: string;
  parkedAt: string;
  code: string;
  message?: string;
}

/** The operator's side of parked entries (`npm run redrive`, `POST /_local/dlq/redrive`). */
export interface ParkedOutbox {
  /** Parked entries, oldest first, at most `limit`. */
  parked(limit: number): Promise<ParkedEntry[]>;
  /**
   * Puts every parked entry back on the unpublished index as unpublished since `at`: the table
   * stream brings it to the publisher at once (and the sweep, if that fails). Answers how many.
   */
  requeueParked(at: Date): Promise<number>;
}

export function dynamoOutbox(client: DynamoDBDocumentClient, tableName: string): Outbox & ParkedOutbox {
  const takeOff = (
    key: ItemKey,
    update: string,
    values: Record<string, unknown>,
    mine?: OwnWrite,
    remove: string[] = [],
  ) =>
    writtenUnlessRefused(
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: `${update} REMOVE ${['gsi2pk', 'gsi2sk', ...remove].join(', ')}`,
          // Only while it is unpublished: marking twice changes nothing (and streams nothing the filter selects).
          ConditionExpression: 'begins_with(gsi2pk, :unpublished)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':unpublished': unpublishedPrefix, ...values },
          ...(mine && { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }),
        }),
      ),
      mine,
    );
  return {
    async unpublishedBefore(before, limit) {
      const perShard = await Promise.all(
        Array.from({ length: unpublishedShards }, async (_, shard) => {
          const { Items = [] } = await client.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: 'gsi2',
              KeyConditionExpression: 'gsi2pk = :shard AND gsi2sk < :before',
              ExpressionAttributeValues: {
                ':shard': `${unpublishedPrefix}${shard}`,
                ':before': before.toISOString(),
              },
              Limit: Math.ceil(limit / unpublishedShards),
            }),
          );
          return Items;
        }),
      );
      return (
        perShard
          .flat()
          // The index is eventually consistent: it may still list an entry that was just marked.
          .filter((item) => !['published', 'unpublishable', 'parked'].includes(String(item.status)))
          .flatMap((item) => {
            const entry = storedOutboxEntryOf(item);
            return entry ? [entry] : [];
          })
          .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      );
    },

    markPublished: (key, at) => {
      // This mark's own id, as a park's (below): refused by an entry holding it, the mark is this very
      // write, applied with its answer lost, and this call marked it.
      const by = randomUUID();
      return takeOff(
        key,
        'SET #status = :published, publishedAt = :at, publishedBy = :by, expiresAt = if_not_exists(expiresAt, :ttl)',
        {
          ':published': 'published',
          ':at': at.toISOString(),
          ':by': by,
          ':ttl': Math.floor(at.getTime() / 1000) + publishedRetentionSeconds,
        },
        keptBy('publishedBy', by),
        // A webhook record's replays that put it back (shared/db/webhooks.ts): republished, so none of them
        // is told of it should a later replay find its event no longer built (docs/design.md#jobs).
        ['replayedByPages', 'replayedBy'],
      );
    },

    markUnpublishable: async (key, reason) => {
      await takeOff(key, 'SET #status = :status, unpublishableReason = :reason', {
        ':status': 'unpublishable',
        ':reason': reason,
      });
    },

    markParked: (entry, refusal, at) => {
      // This park's own id (new each park, the same in the SDK's retries of its request): refused by an
      // entry holding it, the park is this very write, applied with its answer lost
      // (docs/design.md#failures-and-retries), not another publisher's.
      const by = randomUUID();
      return writtenUnlessRefused(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: entry.key,
            // Moved from the unpublished index to the parked one in one write; the new image is not
            // on the unpublished index, so the stream's filter does not bring it back.
            UpdateExpression:
              'SET #status = :parked, parkedAt = :at, parkedCode = :code, parkedMessage = :message, parkedBy = :by, gsi2pk = :pk, gsi2sk = :sk',
            ConditionExpression: 'begins_with(gsi2pk, :unpublished)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':unpublished': unpublishedPrefix,
              ':parked': 'parked',
              ':at': at.toISOString(),
              ':code': refusal.code,
              ':message': refusal.message ?? '',
              ':by': by,
              ':pk': parkedPartition,
              ':sk': parkedSort(at.toISOString(), entry.eventId),
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
        keptBy('parkedBy', by),
      );
    },

    async parkedCount() {
      let count = 0;
      for await (const page of paginateQuery(
        { client },
        {
          TableName: tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :parked',
          // The index is eventually consistent: it may still list an entry just put back.
          FilterExpression: '#status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':parked': parkedPartition, ':status': 'parked' },
          Select: 'COUNT',
        },
      ))
        count += page.Count ?? 0;
      return count;
    },

    async parked(limit) {
      const entries: ParkedEntry[] = [];
      for await (const page of paginateQuery(
        { client },
        {
          TableName: tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :parked',
          ExpressionAttributeValues: { ':parked': parkedPartition },
          Limit: limit,
        },
      )) {
        for (const item of page.Items ?? []) {
          if (item.status !== 'parked') continue;
          entries.push({
            key: { pk: String(item.pk), sk: String(item.sk) },
            eventId: String(item.eventId),
            ...(item.entity === 'outbox'
              ? { source: String(item.source), detailType: String(item.detailType) }
              : {}),
            parkedAt: String(item.parkedAt),
            code: String(item.parkedCode),
            ...(item.parkedMessage ? { message: String(item.parkedMessage) } : {}),
          });
        }
        if (entries.length >= limit) break;
      }
      return entries.slice(0, limit);
    },

    async requeueParked(at) {
      let requeued = 0;
      for (;;) {
        const { Items = [] } = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :parked',
            ExpressionAttributeValues: { ':parked': parkedPartition },
            Limit: 100,
          }),
        );
        if (Items.length === 0) return requeued;
        let moved = 0;
        for (const item of Items) {
          const unpublished = unpublishedKey(at.toISOString(), String(item.eventId));
          // A webhook record is `pending` while unpublished; an outbox item has no status then.
          const update =
            item.entity === 'webhook'
              ? 'SET #status = :pending, gsi2pk = :pk, gsi2sk = :sk, requeuedBy = :by REMOVE parkedAt, parkedCode, parkedMessage'
              : 'SET gsi2pk = :pk, gsi2sk = :sk, requeuedBy = :by REMOVE #status, parkedAt, parkedCode, parkedMessage';
          // This put-back's own id (new each entry, the same in the SDK's retries of its request).
          const by = randomUUID();
          // Refused: put back by another, or by this very write applied with its answer lost
          // (docs/design.md#failures-and-retries), which holds this put-back's id.
          const written = await writtenUnlessRefused(
            client.send(
              new UpdateCommand({
                TableName: tableName,
                Key: { pk: item.pk, sk: item.sk },
                UpdateExpression: update,
                ConditionExpression: '#status = :parked',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':parked': 'parked',
                  ':pk': unpublished.gsi2pk,
                  ':sk': unpublished.gsi2sk,
                  ':by': by,
                  ...(item.entity === 'webhook' ? { ':pending': 'pending' } : {}),
                },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              }),
            ),
            keptBy('requeuedBy', by),
          );
          if (written) {
            requeued++;
            moved++;
          }
        }
        // The index is eventually consistent: a page of entries already put back ends the loop.
        if (moved === 0) return requeued;
      }
    },
  };
}

/**
 * The alarm's metric: each sweep logs how many entries it found unpublished for more than five
 * minutes under this field (a log metric filter in infra/stack.ts reads it). Five minutes written out, as
 * `maxGuestBytes` is (docs/design.md#bundles).
 */
export const overdueMetric = { field: 'unpublishedOverFiveMinutes', afterMs: 300_000 } as const;

/**
 * The parked alarm's metric: each sweep logs how many entries are parked now under this field (a log
 * metric filter in infra/stack.ts reads it), so the alarm stays on for as long as an entry waits for a
 * redrive, not only in the minute it was parked.
 */
export const parkedMetric = { field: 'parkedOutboxEntries' } as const;

/**
 * The unpublishable alarm's metric: the publisher logs each entry it takes off the outbox because its
 * event can no longer be built (an acknowledged webhook that a schema, stricter since it was accepted,
 * now refuses) with this field at 1 (a log metric filter in infra/stack.ts sums it). The record is kept
 * but no redrive publishes it, so the operator is told in the minute it happens (docs/design.md#the-outbox).
 */
export const unpublishableMetric = { field: 'unpublishableOutboxEntries' } as const;
