import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients.ts';
import { config } from '../config.ts';
import { isConditionFailure } from './conditions.ts';
import { keyOf, keyParts } from './keys.ts';

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

export interface PromoCounters {
  /**
   * Counts one access and answers the new count, or `undefined` when the link has already been
   * opened `maxAccesses` times (then nothing is counted).
   */
  countAccess(link: PromoLink, options: { maxAccesses?: number; at: string }): Promise<number | undefined>;
  accessesForRelease(labelId: string, releaseId: string): Promise<Map<string, number>>;
}

export function dynamoPromoCounters(
  db: DynamoDBDocumentClient = dynamo(),
  tableName: string = config().TABLE_NAME,
): PromoCounters {
  return {
    async countAccess(link, { maxAccesses, at }) {
      try {
        const { Attributes } = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: promoCounterKey(link),
            UpdateExpression:
              'ADD accessCount :one SET gsi1pk = :gpk, gsi1sk = :gsk, outletId = :o, assetIndex = :i, lastAccessAt = :at, firstAccessAt = if_not_exists(firstAccessAt, :at)',
            // Invariant: the count never passes maxAccesses, however many requests race.
            ...(maxAccesses !== undefined
              ? { ConditionExpression: 'attribute_not_exists(accessCount) OR accessCount < :max' }
              : {}),
            ExpressionAttributeValues: {
              ':one': 1,
              ':gpk': promoReleaseKey(link).gsi1pk,
              ':gsk': promoReleaseKey(link).gsi1sk,
              ':o': link.outletId,
              ':i': link.assetIndex,
              ':at': at,
              ...(maxAccesses !== undefined ? { ':max': maxAccesses } : {}),
            },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return Attributes?.accessCount as number;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    async accessesForRelease(labelId, releaseId) {
      const counts = new Map<string, number>();
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :p',
            ExpressionAttributeValues: {
              ':p': promoReleaseKey({ labelId, releaseId, outletId: '', assetIndex: 0 }).gsi1pk,
            },
            ProjectionExpression: 'outletId, accessCount',
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          const outletId = item.outletId as string;
          counts.set(outletId, (counts.get(outletId) ?? 0) + Number(item.accessCount ?? 0));
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return counts;
    },
  };
}

let live: PromoCounters | undefined;

/** Promo-link accesses per outlet for one release, summed over its assets (for the release view). */
export function promoAccessesForRelease(labelId: string, releaseId: string): Promise<Map<string, number>> {
  live ??= dynamoPromoCounters();
  return live.accessesForRelease(labelId, releaseId);
}
