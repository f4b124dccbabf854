import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from './batch-get.ts';
import type { Delivery } from './deliveries.ts';
import { deliveryKey, deliveryOf } from './subject-deliveries.ts';

/**
 * Deliveries by id, read in batches (see deliveries.ts for the store and its access patterns), in a
 * module of their own, apart from a subject's (shared/db/delivery-reads.ts, a Query), because a
 * function's DynamoDB grants follow the modules it imports (docs/design.md#topology).
 */

/** The deliveries of `deliveryIds` that exist, by id, read in batches (strongly consistent if asked). */
export async function deliveriesById(
  db: DynamoDBDocumentClient,
  table: string,
  deliveryIds: string[],
  options?: { consistent?: boolean },
): Promise<Map<string, Delivery>> {
  const items = await batchGetAll(db, table, [...new Set(deliveryIds)].map(deliveryKey), {
    ConsistentRead: options?.consistent,
  });
  return new Map(items.map((item) => [item.deliveryId as string, deliveryOf(item)]));
}
