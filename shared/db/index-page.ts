import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError, isKeyValue, keyBytes } from './keys.ts';

/** The keys of an item on gsi1: where a page of a listing on the index goes on after it. */
export interface IndexKey {
  pk: string;
  sk: string;
  gsi1pk: string;
  gsi1sk: string;
}

/**
 * The keys of the item a cursor names, or InvalidCursorError for one DynamoDB would refuse as a start
 * key with a 5xx (`isKeyValue`, see docs/design.md#routes-and-auth).
 */
export function startKeyOf(key: IndexKey): IndexKey {
  if (
    !isKeyValue(key.pk, keyBytes.partition) ||
    !isKeyValue(key.sk, keyBytes.sort) ||
    !isKeyValue(key.gsi1sk, keyBytes.sort)
  )
    throw new InvalidCursorError('cursor is not one this API returned');
  return key;
}

/**
 * A page of a listing on the index (its partition `gsi1pk`, of the sort keys starting with `prefix` when
 * given): at most `limit` items after `startKey`, and whether more follow (one item more is read to know).
 */
export async function indexPage(
  db: DynamoDBDocumentClient,
  table: string,
  gsi1pk: string,
  limit: number,
  startKey: IndexKey | undefined,
  prefix?: string,
): Promise<{ items: Record<string, unknown>[]; more: boolean }> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined = startKey && { ...startKey };
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'gsi1',
        KeyConditionExpression: `gsi1pk = :pk${prefix ? ' AND begins_with(gsi1sk, :prefix)' : ''}`,
        ExpressionAttributeValues: { ':pk': gsi1pk, ...(prefix ? { ':prefix': prefix } : {}) },
        Limit: limit + 1 - items.length,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start && items.length <= limit);
  return { items: items.slice(0, limit), more: items.length > limit };
}
