import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keptBy, writtenUnlessRefused } from './conditions.ts';

/**
 * The SES send-rate budget (docs/design.md#send-rate): one token bucket for every concurrent sender, in
 * recipients per second (SES quotas count recipients, not calls). Access pattern:
 * - the account's bucket, conditionally replaced by each sender before each SendBulkEmail (read first
 *   only when the sender does not know it from its own last replace):
 *     pk `SEND_RATE#SES`, sk `BUCKET`
 */
export const sendRateKey = () => ({ pk: 'SEND_RATE#SES', sk: 'BUCKET' });

export interface Bucket {
  /** Recipients that may be sent now. */
  tokens: number;
  /** When `tokens` was computed (epoch ms). */
  at: number;
}

/**
 * `restamped`: the stored bucket was stamped ahead of `now` (a clock that ran back, senders' clocks
 * apart) and would not refill before `now` caught up with it; this is the same bucket stamped `now`,
 * for the caller to store, so that it refills from here on.
 */
export type Take = { granted: true; bucket: Bucket } | { granted: false; waitMs: number; restamped?: Bucket };

/**
 * The token bucket itself, pure: refill at `ratePerSecond` up to `capacity`, then take `count` if
 * there are that many, else say how long until there will be. A `count` above the capacity is
 * granted once the bucket is full, so a call of more recipients than one second's worth still runs.
 */
export function takeTokens(
  stored: Bucket | undefined,
  now: number,
  count: number,
  ratePerSecond: number,
  capacity: number,
): Take {
  const ahead = stored !== undefined && stored.at > now;
  const bucket = ahead ? { tokens: Math.min(stored.tokens, capacity), at: now } : stored;
  const elapsed = bucket ? now - bucket.at : Number.POSITIVE_INFINITY;
  const available = Math.min(capacity, (bucket?.tokens ?? capacity) + (elapsed * ratePerSecond) / 1000);
  const needed = Math.min(count, capacity);
  if (available >= needed) return { granted: true, bucket: { tokens: available - count, at: now } };
  const waitMs = Math.ceil(((needed - available) * 1000) / ratePerSecond);
  return ahead ? { granted: false, waitMs, restamped: bucket } : { granted: false, waitMs };
}

export interface StoredBucket {
  bucket?: Bucket;
  /** Opaque version for the conditional replace. */
  version?: number;
}

/** Where the shared bucket is kept: `dynamoSendRateBucket`, and fakes in tests. */
export interface BucketStore {
  read(): Promise<StoredBucket>;
  /**
   * Replaces the bucket only if nobody else changed it since `expectedVersion` was read (optimistic
   * concurrency: two senders can never both spend the same tokens): the bucket as now stored, or
   * undefined when another sender changed it first (read again).
   */
  replace(bucket: Bucket, expectedVersion: number | undefined): Promise<StoredBucket | undefined>;
}

export function dynamoSendRateBucket(db: DynamoDBDocumentClient, table: string): BucketStore {
  return {
    async read() {
      const { Item } = await db.send(
        new GetCommand({ TableName: table, Key: sendRateKey(), ConsistentRead: true }),
      );
      if (!Item) return {};
      return {
        bucket: { tokens: Item.tokens as number, at: Item.at as number },
        version: Item.version as number,
      };
    },
    async replace(bucket, expectedVersion) {
      const version = (expectedVersion ?? 0) + 1;
      // This replace's own id (new each replace, the same in the SDK's retries of its request).
      const by = randomUUID();
      // Refused: another sender's change, or this very replace applied with its answer lost
      // (docs/design.md#failures-and-retries), which holds this replace's id (read from the refusal).
      const written = await writtenUnlessRefused(
        db.send(
          new PutCommand({
            TableName: table,
            Item: { ...sendRateKey(), ...bucket, version, by },
            ConditionExpression:
              expectedVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :version',
            ExpressionAttributeValues:
              expectedVersion === undefined ? undefined : { ':version': expectedVersion },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
        keptBy('by', by),
      );
      return written ? { bucket, version } : undefined;
    },
  };
}
