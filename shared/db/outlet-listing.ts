import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Outlet } from '../outlets.ts';
import { outletKey, outletListKey, outletsPartition, projection, toOutlet } from './outlet-items.ts';

/** Listing and paging the directory: every outlet in name order, on the `gsi1` index. */

export interface OutletPage {
  outlets: Outlet[];
  /** Opaque; pass it back to read the next page. Absent on the last page. */
  nextCursor?: string;
}

/** Thrown for a cursor this adapter did not make. */
export class InvalidCursorError extends Error {}

const encodeCursor = (outlet: Pick<Outlet, 'id' | 'name'>) =>
  Buffer.from(JSON.stringify({ s: outletListKey(outlet).gsi1sk, i: outlet.id })).toString('base64url');

function decodeCursor(cursor: string): Record<string, string> {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const { s, i } = parsed as { s?: unknown; i?: unknown };
    if (typeof s !== 'string' || typeof i !== 'string' || !s.endsWith(`#${i}`)) throw new Error('shape');
    return { gsi1pk: outletsPartition, gsi1sk: s, ...outletKey(i) };
  } catch {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
}

export interface OutletListing {
  /**
   * The outlets `where` accepts, in name order (the bytes of the lower-case name, then the id: the
   * index's sort key), `limit` at most per page. A cursor outlives the outlet it was taken after.
   */
  list(options: { limit: number; cursor?: string; where?: (outlet: Outlet) => boolean }): Promise<OutletPage>;
  /** Every outlet in name order, one DynamoDB page at a time (up to 1 MB each). */
  pages(): AsyncIterable<Outlet[]>;
}

export function outletListing(db: DynamoDBDocumentClient, TableName: string): OutletListing {
  const list: OutletListing['list'] = async ({ limit, cursor, where = () => true }) => {
    const outlets: Outlet[] = [];
    let startKey: Record<string, unknown> | undefined = cursor ? decodeCursor(cursor) : undefined;
    // Bounded work per request: with a narrow filter, a page may hold fewer than `limit` outlets.
    for (let reads = 0; reads < 10; reads++) {
      const page = await db.send(
        new QueryCommand({
          TableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': outletsPartition },
          ExclusiveStartKey: startKey,
          Limit: Math.max(limit, 100),
          ...projection,
        }),
      );
      const items = (page.Items ?? []).map(toOutlet);
      for (const [index, outlet] of items.entries()) {
        if (!where(outlet)) continue;
        outlets.push(outlet);
        const more = index < items.length - 1 || page.LastEvaluatedKey !== undefined;
        if (outlets.length === limit)
          return { outlets, ...(more ? { nextCursor: encodeCursor(outlet) } : {}) };
      }
      if (!page.LastEvaluatedKey) return { outlets };
      startKey = page.LastEvaluatedKey;
      const last = items.at(-1);
      if (reads === 9 && last) return { outlets, nextCursor: encodeCursor(last) };
    }
    return { outlets };
  };

  async function* pages(): AsyncIterable<Outlet[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const input: QueryCommandInput = {
        TableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': outletsPartition },
        ExclusiveStartKey: startKey,
        ...projection,
      };
      const page = await db.send(new QueryCommand(input));
      yield (page.Items ?? []).map(toOutlet);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  return { list, pages };
}
