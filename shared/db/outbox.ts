import {
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '../events/outbox.ts';
import { failedConditions, isConditionFailure } from './conditions.ts';
import { retryingConflicts } from './conflicts.ts';
import { publishedRetentionSeconds, unpublishedKey, unpublishedPrefix } from './outbox-keys.ts';

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

/**
 * The event source mapping's filter (Lambda filter criteria use EventBridge's pattern language, over
 * the stream record in DynamoDB JSON): inserts and updates whose new image is an unpublished entry.
 * Marking an entry published removes its index keys, so that update does not come back.
 */
export const outboxStreamFilter = {
  eventName: ['INSERT', 'MODIFY'],
  dynamodb: { NewImage: { gsi2pk: { S: [{ prefix: unpublishedPrefix }] } } },
};

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

export interface ItemKey {
  pk: string;
  sk: string;
}
