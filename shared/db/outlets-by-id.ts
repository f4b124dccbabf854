import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Outlet } from '../outlets.ts';
import { batchGetAll } from './batch-get.ts';
import { outletKey, projection, toOutlet } from './outlet-items.ts';

/**
 * The outlets of `outletIds` that exist, by id, read in batches: the listing's `getMany`
 * (shared/db/outlet-listing.ts), in a module of its own, because a function's DynamoDB grants follow the
 * modules it imports (docs/design.md#topology): the settlement function, which reads the outlets its
 * events name, reaches no Query of the listing. Strongly consistent: `Outlets Changed` is read a moment
 * after the write it follows, and an outlet not yet seen, or seen as it was, would be told nothing of the
 * releases still to come (docs/design.md#exactly-once-mail).
 */
export async function outletsById(
  db: DynamoDBDocumentClient,
  TableName: string,
  outletIds: readonly string[],
): Promise<Map<string, Outlet>> {
  const items = await batchGetAll(db, TableName, [...new Set(outletIds)].map(outletKey), {
    ...projection,
    ConsistentRead: true,
  });
  return new Map(items.map((item) => [item.id as string, toOutlet(item)]));
}
