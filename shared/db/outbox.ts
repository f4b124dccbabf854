import {
  type DynamoDBDocumentClient,
  PutCommand,
  paginateQuery,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '../events/outbox.ts';
import { failedConditions, isConditionFailure, writtenUnlessRefused } from './conditions.ts';
import { retryingConflicts } from './conflicts.ts';
import { unpublishedKey, unpublishedPrefix, unpublishedShards } from './outbox-keys.ts';
import { type WebhookRecord, webhookRecordOf } from './webhooks.ts';

/**
 * The outbox: the events a write must lead to, stored by that same write (or TransactWriteItems),
 * published by the publisher from the table's stream and marked published; the sweep republishes
 * entries left unmarked. See docs/design.md#the-outbox.
 *
 * Two kinds of item are outbox entries: an outbox item (below), and a label webhook record
 * (shared/db/webhooks.ts: its event is built from its raw body, so no item nears 400 KB).
 *
 * Access patterns:
 * - an event to publish, by its id: written with the state change, marked published by the publisher
 *     pk = OUTBOX#<eventId>, sk = OUTBOX   (one item per partition; event ids are ours, never a label's)
 * - entries still unpublished, oldest first (the outbox sweep), both kinds; sparse: removed once published
 *     gsi2pk = OUTBOX#UNPUBLISHED#<0-3>, gsi2sk = <createdAt>#<eventId>   (`unpublishedKey`, shared/db/outbox-keys.ts)
 *   Every entry is written to this index once; four partitions, picked by the event id's hash, keep
 *   a burst of writes off one index partition (1,000 WCU each), and the sweep queries all four.
 * - the table stream's filter (`outboxStreamFilter`) selects new images in that index: unpublished entries.
 * - entries the bus refused for good (parked), oldest first, for the operator to put back once the cause is fixed:
 *     gsi2pk = OUTBOX#PARKED, gsi2sk = <parkedAt>#<eventId>   (sparse; off the unpublished index, so
 *     neither the stream's filter nor the sweep takes them; rare, so one partition)
 */
export const outboxKey = (eventId: string) => ({ pk: `OUTBOX#${eventId}`, sk: 'OUTBOX' });

const parkedPartition = 'OUTBOX#PARKED';
const parkedSort = (parkedAt: string, eventId: string) => `${parkedAt}#${eventId}`;

/**
 * The event source mapping's filter (Lambda filter criteria use EventBridge's pattern language, over
 * the stream record in DynamoDB JSON): inserts and updates whose new image is an unpublished entry.
 * Marking an entry published removes its index keys, so that update does not come back.
 */
export const outboxStreamFilter = {
  eventName: ['INSERT', 'MODIFY'],
  dynamodb: { NewImage: { gsi2pk: { S: [{ prefix: unpublishedPrefix }] } } },
};

/** A published outbox item is kept this long, for questions about what was published, then expires (TTL). */
const publishedRetentionSeconds = 7 * 24 * 3600;

/**
 * The item that stores `entry` in the outbox, for a Put in the same write or transaction as the
 * state it follows from. Unconditional: the event id is new, and a repeated write only publishes
 * the same event (same eventId) again, which consumers ignore.
 */
export function outboxItem(entry: OutboxEntry, createdAt: string): Record<string, unknown> {
  return {
    ...outboxKey(entry.eventId),
    ...unpublishedKey(createdAt, entry.eventId),
    entity: 'outbox',
    eventId: entry.eventId,
    source: entry.source,
    detailType: entry.detailType,
    // The envelope as JSON, byte for byte what is put on the bus.
    detail: JSON.stringify(entry.detail),
    createdAt,
  };
}

/** A TransactWriteItems element putting `entry` in the outbox (see outboxItem). */
export const outboxPut = (tableName: string, entry: OutboxEntry, createdAt: string) => ({
  Put: { TableName: tableName, Item: outboxItem(entry, createdAt) },
});

/** One item of a TransactWriteItems. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * The marker of work put in the outbox once (a page of a fan-out, a step continuing on its next page):
 * written with its entries, conditional on its absence, so a redelivered invocation puts nothing twice.
 * It outlives every redelivery of the event that wrote it (EventBridge retries for 24 hours at most) and
 * expires (TTL) with the published entries it held (docs/design.md#the-outbox).
 */
export const putOnce = (
  tableName: string,
  key: ItemKey,
  entity: string,
  createdAt: string,
  attributes: Record<string, unknown> = {},
): StateWrite => ({
  Put: {
    TableName: tableName,
    Item: {
      ...key,
      entity,
      ...attributes,
      expiresAt: Math.floor(Date.parse(createdAt) / 1000) + publishedRetentionSeconds,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/** A write of state: a Put or an Update, with its condition. */
export type StateWrite = Required<Pick<TransactItem, 'Put'>> | Required<Pick<TransactItem, 'Update'>>;
/** A check of an item a write of state is computed from, written with it (never alone). */
export type StateCheck = Required<Pick<TransactItem, 'ConditionCheck'>>;

/**
 * Writes state and the outbox entries it leads to, all or nothing: one TransactWriteItems (at most
 * 100 items), or the plain write alone when there is no entry (a transaction costs twice the write
 * units). False when a condition of the state failed: then nothing was written, no event either.
 * A write cancelled by a concurrent one is sent again as it is (`retryingConflicts`): its conditions
 * hold what it was built from, so a change meanwhile answers false and the caller reads again.
 */
export async function writeWithOutbox(
  client: Pick<DynamoDBDocumentClient, 'send'>,
  writes: (StateWrite | StateCheck)[],
  entries: OutboxEntry[],
  createdAt: string,
  /**
   * `conflictAttempts`: tries in all before a WriteConflictError (default `conflictRetries.attempts`);
   * 1 for a caller whose own loop reads again and bounds the total (promo counting).
   */
  options: { conflictAttempts?: number } = {},
): Promise<boolean> {
  const retries = options.conflictAttempts === undefined ? {} : { attempts: options.conflictAttempts };
  try {
    const [write] = writes;
    if (entries.length === 0 && writes.length === 1 && !('ConditionCheck' in write)) {
      await retryingConflicts(
        () =>
          'Put' in write
            ? client.send(new PutCommand(write.Put))
            : client.send(new UpdateCommand(write.Update)),
        retries,
      );
      return true;
    }
    const tableName = ('Put' in write ? write.Put : 'Update' in write ? write.Update : write.ConditionCheck)
      .TableName;
    const TransactItems = [
      ...writes,
      ...entries.map((entry) => outboxPut(String(tableName), entry, createdAt)),
    ];
    await retryingConflicts(() => client.send(new TransactWriteCommand({ TransactItems })), retries);
    return true;
  } catch (error) {
    if (isConditionFailure(error) || failedConditions(error)?.some(Boolean)) return false;
    throw error;
  }
}

/** An unpublished entry as the publisher reads it from the stream or the sweep. */
export type StoredOutboxEntry =
  | { kind: 'event'; key: ItemKey; createdAt: string; event: OutboxEntry }
  | { kind: 'webhook'; key: ItemKey; createdAt: string; webhook: WebhookRecord };

export interface ItemKey {
  pk: string;
  sk: string;
}

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
  /** Marks an entry published, taking it off the unpublished index; an entry marked before (or gone) is left alone. */
  markPublished(key: ItemKey, at: Date): Promise<void>;
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
  const takeOff = async (key: ItemKey, update: string, values: Record<string, unknown>) => {
    await writtenUnlessRefused(
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: `${update} REMOVE gsi2pk, gsi2sk`,
          // Only while it is unpublished: marking twice changes nothing (and streams nothing the filter selects).
          ConditionExpression: 'begins_with(gsi2pk, :unpublished)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':unpublished': unpublishedPrefix, ...values },
        }),
      ),
    );
  };
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

    markPublished: (key, at) =>
      takeOff(
        key,
        'SET #status = :published, publishedAt = :at, expiresAt = if_not_exists(expiresAt, :ttl)',
        {
          ':published': 'published',
          ':at': at.toISOString(),
          ':ttl': Math.floor(at.getTime() / 1000) + publishedRetentionSeconds,
        },
      ),

    markUnpublishable: (key, reason) =>
      takeOff(key, 'SET #status = :status, unpublishableReason = :reason', {
        ':status': 'unpublishable',
        ':reason': reason,
      }),

    markParked: (entry, refusal, at) =>
      writtenUnlessRefused(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: entry.key,
            // Moved from the unpublished index to the parked one in one write; the new image is not
            // on the unpublished index, so the stream's filter does not bring it back.
            UpdateExpression:
              'SET #status = :parked, parkedAt = :at, parkedCode = :code, parkedMessage = :message, gsi2pk = :pk, gsi2sk = :sk',
            ConditionExpression: 'begins_with(gsi2pk, :unpublished)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':unpublished': unpublishedPrefix,
              ':parked': 'parked',
              ':at': at.toISOString(),
              ':code': refusal.code,
              ':message': refusal.message ?? '',
              ':pk': parkedPartition,
              ':sk': parkedSort(at.toISOString(), entry.eventId),
            },
          }),
        ),
      ),

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
              ? 'SET #status = :pending, gsi2pk = :pk, gsi2sk = :sk REMOVE parkedAt, parkedCode, parkedMessage'
              : 'SET gsi2pk = :pk, gsi2sk = :sk REMOVE #status, parkedAt, parkedCode, parkedMessage';
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
                  ...(item.entity === 'webhook' ? { ':pending': 'pending' } : {}),
                },
              }),
            ),
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
