import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { keyOf, keyParts } from './keys.ts';

/**
 * Recorded label webhooks (the intake outbox, docs/design.md#the-outbox), kept with their raw body for replay.
 *
 * Access patterns:
 * - record a webhook once per label and `webhook-id`; find it again for a repeated delivery
 *     pk = WEBHOOK#<labelId>#<webhookId>, sk = WEBHOOK   (one item per partition: no hot label partition)
 * - a label's webhooks received in a time range, oldest first (replay)
 *     gsi1pk = LABEL#<labelId>#WEBHOOKS, gsi1sk = <receivedAt>#<webhookId>
 * - webhooks still pending publication, oldest first (outbox sweep); sparse: removed once published
 *     gsi2pk = WEBHOOKS#PENDING, gsi2sk = <receivedAt>#<labelId>#<webhookId>
 *
 * Keys are built by `keyOf`/`keyParts` (see docs/design.md#unambiguous-keys); webhook ids are printable
 * ASCII (checked by intake), so `\x7f` sorts after every id.
 */
export const webhookKey = (labelId: string, webhookId: string) => ({
  pk: keyOf('WEBHOOK', labelId, webhookId),
  sk: 'WEBHOOK',
});
const byLabelKey = (labelId: string, receivedAt: string, webhookId: string) => ({
  gsi1pk: `${keyOf('LABEL', labelId)}#WEBHOOKS`,
  gsi1sk: keyParts(receivedAt, webhookId),
});
const pendingPartition = 'WEBHOOKS#PENDING';
const pendingKey = (labelId: string, receivedAt: string, webhookId: string) => ({
  gsi2pk: pendingPartition,
  gsi2sk: keyParts(receivedAt, labelId, webhookId),
});
const afterEveryId = '\x7f';

/** Raw payloads are kept 30 days for replay (TTL). */
export const webhookRetentionMs = 30 * 24 * 60 * 60 * 1000;

export type WebhookStatus = 'pending' | 'published' | 'unpublishable';

export interface WebhookRecord {
  labelId: string;
  webhookId: string;
  eventId: string;
  type: string;
  /** The body as the label sent it (valid UTF-8 JSON, at most 256 KB). */
  body: string;
  receivedAt: string;
  status: WebhookStatus;
  publishedAt?: string;
  /** TTL, epoch seconds. */
  expiresAt: number;
}

export type WebhookRef = Pick<WebhookRecord, 'labelId' | 'webhookId'>;

export interface Page<T> {
  items: T[];
  next?: string;
}

/** The port over recorded webhooks. */
export interface WebhookRecords {
  /** Records a new webhook as pending; when its label and id are already recorded (and not expired), returns that record instead. */
  record(
    record: WebhookRecord,
    now: Date,
  ): Promise<{ recorded: true } | { recorded: false; existing: WebhookRecord }>;
  /** Marks webhooks published (taking them off the pending queue). */
  markPublished(refs: WebhookRef[], at: Date): Promise<void>;
  /** Takes a webhook whose event can no longer be built off the pending queue, so the sweep stops retrying it. */
  markUnpublishable(ref: WebhookRef, reason: string): Promise<void>;
  /** Pending webhooks received before `before`, oldest first. */
  pendingSince(before: Date, limit: number): Promise<WebhookRecord[]>;
  /** A label's webhooks received in [from, to], oldest first, one page at a time; expired ones are left out. */
  receivedBetween(
    labelId: string,
    from: Date,
    to: Date,
    now: Date,
    cursor?: string,
  ): Promise<Page<WebhookRecord>>;
}

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as Error)?.name === 'ConditionalCheckFailedException';

const toRecord = (item: Record<string, unknown>): WebhookRecord => {
  const { labelId, webhookId, eventId, type, body, receivedAt, status, publishedAt, expiresAt } = item;
  return {
    labelId,
    webhookId,
    eventId,
    type,
    body,
    receivedAt,
    status,
    publishedAt,
    expiresAt,
  } as WebhookRecord;
};

const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
const decodeCursor = (cursor: string | undefined) =>
  cursor
    ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>)
    : undefined;

export function dynamoWebhookRecords(client: DynamoDBDocumentClient, tableName: string): WebhookRecords {
  const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);
  return {
    async record(record, now) {
      try {
        // Invariant: one record (hence one eventId, one event) per label and webhook-id. An expired record
        // (DynamoDB deletes late, DynamoDB Local never) no longer counts.
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...webhookKey(record.labelId, record.webhookId),
              ...byLabelKey(record.labelId, record.receivedAt, record.webhookId),
              ...(record.status === 'pending'
                ? pendingKey(record.labelId, record.receivedAt, record.webhookId)
                : {}),
              entity: 'webhook',
              ...record,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': epochSeconds(now) },
          }),
        );
        return { recorded: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: webhookKey(record.labelId, record.webhookId),
          ConsistentRead: true,
        }),
      );
      if (!Item) throw new Error('webhook record vanished after a failed conditional put');
      return { recorded: false, existing: toRecord(Item) };
    },

    async markPublished(refs, at) {
      await Promise.all(
        refs.map((ref) =>
          client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: webhookKey(ref.labelId, ref.webhookId),
              UpdateExpression: 'SET #status = :published, publishedAt = :at REMOVE gsi2pk, gsi2sk',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':published': 'published', ':at': at.toISOString() },
            }),
          ),
        ),
      );
    },

    async markUnpublishable(ref, reason) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: webhookKey(ref.labelId, ref.webhookId),
          UpdateExpression: 'SET #status = :status, unpublishableReason = :reason REMOVE gsi2pk, gsi2sk',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': 'unpublishable', ':reason': reason },
        }),
      );
    },

    async pendingSince(before, limit) {
      const records: WebhookRecord[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :pending AND gsi2sk < :before',
            ExpressionAttributeValues: { ':pending': pendingPartition, ':before': before.toISOString() },
            Limit: limit - records.length,
            ExclusiveStartKey: startKey,
          }),
        );
        records.push(...(page.Items ?? []).map(toRecord));
        startKey = page.LastEvaluatedKey;
      } while (startKey && records.length < limit);
      // The index is eventually consistent: it may still list a record that was just published.
      return records.filter((r) => r.status === 'pending');
    },

    async receivedBetween(labelId, from, to, now, cursor) {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :label AND gsi1sk BETWEEN :from AND :to',
          FilterExpression: 'expiresAt > :now',
          ExpressionAttributeValues: {
            ':label': byLabelKey(labelId, '', '').gsi1pk,
            ':from': from.toISOString(),
            ':to': `${to.toISOString()}#${afterEveryId}`,
            ':now': epochSeconds(now),
          },
          Limit: 100,
          ExclusiveStartKey: decodeCursor(cursor),
        }),
      );
      return { items: (page.Items ?? []).map(toRecord), next: encodeCursor(page.LastEvaluatedKey) };
    },
  };
}
