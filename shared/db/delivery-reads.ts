import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { Delivery, MailSubject } from './deliveries.ts';
import { deliveryOf, deliveryShards, subjectDeliveriesKey } from './subject-deliveries.ts';

/**
 * A subject's deliveries, from each shard of the subject index (see deliveries.ts for the store and its
 * access patterns). In a module of its own, apart from the keys and items (shared/db/subject-deliveries.ts)
 * and from the reads by id (shared/db/deliveries-by-id.ts), because a function's DynamoDB grants follow
 * the modules it imports (docs/design.md#topology): the deliverability and settlement functions, which
 * read deliveries by id or by key, are granted no Query.
 */

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
