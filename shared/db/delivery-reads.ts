import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from './batch-get.ts';
import type { Delivery, MailSubject } from './deliveries.ts';
import { deliveryKey, deliveryOf, deliveryShards, subjectDeliveriesKey } from './subject-deliveries.ts';

/**
 * Deliveries read many at a time (see deliveries.ts for the store and its access patterns): by id, in
 * batches, and a subject's, from each shard of the subject index. In a module of their own, apart from
 * the keys and items (shared/db/subject-deliveries.ts), because a function's DynamoDB grants follow the
 * modules it imports (docs/design.md#topology).
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

/** Every delivery of a subject (all kinds), from each shard of the subject index. */
export async function deliveriesOfSubject(
  db: DynamoDBDocumentClient,
  table: string,
  labelId: string,
  subject: MailSubject,
): Promise<Delivery[]> {
  const shards = await Promise.all(
    Array.from({ length: deliveryShards }, async (_, shard) => {
      const items: Delivery[] = [];
      const pages = paginateQuery(
        { client: db },
        {
          TableName: table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': subjectDeliveriesKey(labelId, subject, shard) },
        },
      );
      for await (const page of pages) for (const item of page.Items ?? []) items.push(deliveryOf(item));
      return items;
    }),
  );
  return shards.flat();
}
