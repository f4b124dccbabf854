import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients.ts';
import { config } from '../config.ts';
import type { OutboxEntry } from '../events/outbox.ts';
import { againFromFreshRead, conflictRetries, readAgain, WriteConflictError } from './conflicts.ts';
import { keyOf, keyParts } from './keys.ts';
import { writeWithOutbox } from './outbox.ts';

/**
 * Promo-link access counters, one per recipient and asset.
 *
 * Access patterns and the keys that serve them:
 * - count one access of one outlet's link to one asset .. pk `PROMO#<labelId>#<releaseId>#<outletId>`, sk `ASSET#<index>`
 *   (one partition per recipient, so a busy release spreads its writes)
 * - accesses per outlet for a release (release view) .... gsi1pk `PROMOS#<labelId>#<releaseId>`, gsi1sk `<outletId>#<index>`
 */

export interface PromoLink {
  labelId: string;
  releaseId: string;
  outletId: string;
  assetIndex: number;
}

export const promoCounterKey = (link: PromoLink) => ({
  pk: keyOf('PROMO', link.labelId, link.releaseId, link.outletId),
  sk: keyOf('ASSET', link.assetIndex),
});

export const promoReleaseKey = (link: PromoLink) => ({
  gsi1pk: keyOf('PROMOS', link.labelId, link.releaseId),
  gsi1sk: keyParts(link.outletId, link.assetIndex),
});

/** One outlet's accesses to a release's promo links, over its assets: how many, first and last (to trace a leak). */
export interface PromoAccess {
  count: number;
  firstAccessAt?: string;
  lastAccessAt?: string;
}

export interface PromoCounters {
  /**
   * Counts one access, with the events of that access (`eventsFor(newCount)`) in the same write,
   * and answers the new count, or `undefined` when the link has already been opened `maxAccesses`
   * times (then nothing is counted or written).
   */
  countAccess(
    link: PromoLink,
    options: { maxAccesses?: number; at: string },
    eventsFor: (count: number) => OutboxEntry[],
  ): Promise<number | undefined>;
  /** How often the link has been opened, read without counting (a GET of its page). */
  accessCount(link: PromoLink): Promise<number>;
  accessesForRelease(labelId: string, releaseId: string): Promise<Map<string, PromoAccess>>;
}

/** Two outlets' (or assets') accesses as one: counts add up, the first is the earliest and the last the latest. */
export function mergeAccess(a: PromoAccess | undefined, b: PromoAccess): PromoAccess {
  if (!a) return b;
  const first = [a.firstAccessAt, b.firstAccessAt].filter((at): at is string => at !== undefined).sort()[0];
  const last = [a.lastAccessAt, b.lastAccessAt]
    .filter((at): at is string => at !== undefined)
    .sort()
    .at(-1);
  return {
    count: a.count + b.count,
    ...(first ? { firstAccessAt: first } : {}),
    ...(last ? { lastAccessAt: last } : {}),
  };
}

/**
 * Reads and transactions of one open at most, among others opening the link at once (a mail
 * scanner's burst): twice a lone write's conflict retries, as each may meet a count changed meanwhile.
 */
const countAttempts = 2 * conflictRetries.attempts;

export function dynamoPromoCounters(
  db: DynamoDBDocumentClient = dynamo(),
  tableName: string = config().TABLE_NAME,
): PromoCounters {
  return {
    async countAccess(link, { maxAccesses, at }, eventsFor) {
      // The event states the new count, so it is known before the write: read, then write only if
      // the count is still the one read (a concurrent access makes this one read again). One loop
      // bounds an open's transactions (countAttempts): a transaction cancelled by a concurrent one
      // (TransactionConflict: someone else opening the link at the same moment) is met like a count
      // changed meanwhile, by reading again, not by writeWithOutbox's own retries around each.
      return againFromFreshRead(
        'the promo link counter kept changing',
        async () => {
          const { Item } = await db.send(
            new GetCommand({ TableName: tableName, Key: promoCounterKey(link), ConsistentRead: true }),
          );
          const count = Number(Item?.accessCount ?? 0);
          // Invariant: the count never passes maxAccesses, however many requests race.
          if (maxAccesses !== undefined && count >= maxAccesses) return undefined;
          // This open's own id beside the count (new each attempt, the same in the SDK's retries of it).
          const by = randomUUID();
          const written = await writeWithOutbox(
            db,
            [
              {
                Update: {
                  TableName: tableName,
                  Key: promoCounterKey(link),
                  UpdateExpression:
                    'SET accessCount = :next, gsi1pk = :gpk, gsi1sk = :gsk, outletId = :o, assetIndex = :i, lastAccessAt = :at, lastAccessBy = :by, firstAccessAt = if_not_exists(firstAccessAt, :at)',
                  ConditionExpression:
                    count === 0 ? 'attribute_not_exists(accessCount)' : 'accessCount = :count',
                  ExpressionAttributeValues: {
                    ':next': count + 1,
                    ':gpk': promoReleaseKey(link).gsi1pk,
                    ':gsk': promoReleaseKey(link).gsi1sk,
                    ':o': link.outletId,
                    ':i': link.assetIndex,
                    ':at': at,
                    ':by': by,
                    ...(count === 0 ? {} : { ':count': count }),
                  },
                },
              },
            ],
            eventsFor(count + 1),
            at,
            { conflictAttempts: 1 },
          ).catch((error: unknown) => {
            if (error instanceof WriteConflictError) return false;
            throw error;
          });
          if (written) return count + 1;
          // Refused: a count changed meanwhile, or this very count, applied with its answer lost
          // (docs/design.md#failures-and-retries), which holds this attempt's id.
          const { Item: now } = await db.send(
            new GetCommand({ TableName: tableName, Key: promoCounterKey(link), ConsistentRead: true }),
          );
          return now?.lastAccessBy === by ? count + 1 : readAgain;
        },
        countAttempts,
      );
    },

    async accessCount(link) {
      const { Item } = await db.send(
        new GetCommand({
          TableName: tableName,
          Key: promoCounterKey(link),
          ProjectionExpression: 'accessCount',
          ConsistentRead: true,
        }),
      );
      return Number(Item?.accessCount ?? 0);
    },

    async accessesForRelease(labelId, releaseId) {
      const accesses = new Map<string, PromoAccess>();
      for await (const page of paginateQuery(
        { client: db },
        {
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: {
            ':p': promoReleaseKey({ labelId, releaseId, outletId: '', assetIndex: 0 }).gsi1pk,
          },
          ProjectionExpression: 'outletId, accessCount, firstAccessAt, lastAccessAt',
        },
      )) {
        for (const item of page.Items ?? []) {
          const outletId = item.outletId as string;
          const access: PromoAccess = {
            count: Number(item.accessCount ?? 0),
            ...(item.firstAccessAt ? { firstAccessAt: String(item.firstAccessAt) } : {}),
            ...(item.lastAccessAt ? { lastAccessAt: String(item.lastAccessAt) } : {}),
          };
          accesses.set(outletId, mergeAccess(accesses.get(outletId), access));
        }
      }
      return accesses;
    },
  };
}

let live: PromoCounters | undefined;

/** Promo-link accesses per outlet for one release, over its assets (for the release view). */
export function promoAccessesForRelease(
  labelId: string,
  releaseId: string,
): Promise<Map<string, PromoAccess>> {
  live ??= dynamoPromoCounters();
  return live.accessesForRelease(labelId, releaseId);
}
