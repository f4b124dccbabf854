import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { genreKey, type Outlet } from '../outlets.ts';
import { InvalidCursorError, isKeyValue, keyBytes, keyParts, lastPartOf } from './keys.ts';
import { outletKey, outletListKey, outletsPartition, projection, toOutlet } from './outlet-items.ts';

/** Listing and paging the directory: every outlet in name order, on the `gsi1` index. */

export interface OutletPage {
  outlets: Outlet[];
  /** Opaque; pass it back to read the next page. Absent on the last page. */
  nextCursor?: string;
}

/**
 * The cursor after the outlet with this listing sort key (`<lower-case name>#<id>`): an outlet
 * returned, or the last one a read looked at (DynamoDB's LastEvaluatedKey), returned or not.
 */
export const cursorAfter = (gsi1sk: string) =>
  Buffer.from(JSON.stringify({ s: gsi1sk, i: lastPartOf(gsi1sk) })).toString('base64url');

/**
 * At most this many keys go into the filter: DynamoDB allows 300 operators and functions in one
 * expression (each key adds a `contains` and an `OR`) and 4 KB of it (each key about 30 bytes). A
 * release or tour whose genres make more is listed unfiltered, which `where` narrows all the same.
 */
const maxFilteredKeys = 100;

/**
 * DynamoDB's filter for the outlets a release of these genres may reach: those whose `genreKeys`
 * hold one of them, and those with none (no genres: every genre; or written before `genreKeys` was
 * kept). A filter leaves out items after they are read, so it costs the same read units, but the
 * outlets that cannot match are neither sent back nor unmarshalled (a release of one genre in a
 * directory of many sends a fraction of it back; see docs/design.md#sending-in-a-pipeline).
 */
function genreFilter(genres: readonly string[]) {
  // Each genre's key (`genreKey`, in NFC) and its NFD form: an item keeps the keys it was written with
  // until its outlet is written again, and keys were kept as the genre was typed until December 2026
  // (docs/design.md#sending-in-a-pipeline). The filter only lets an item through; `where` matches its
  // genres as they are.
  const keys = [...new Set(genres.flatMap((genre) => [genreKey(genre), genreKey(genre).normalize('NFD')]))];
  if (keys.length > maxFilteredKeys) return undefined;
  return {
    FilterExpression: [
      'attribute_not_exists(#genreKeys)',
      ...keys.map((_, i) => `contains(#genreKeys, :g${i})`),
    ].join(' OR '),
    names: { '#genreKeys': 'genreKeys' },
    values: Object.fromEntries(keys.map((key, i) => [`:g${i}`, key])),
  };
}

function decodeCursor(cursor: string): Record<string, string> {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const { s, i } = parsed as { s?: unknown; i?: unknown };
    if (typeof s !== 'string' || typeof i !== 'string' || !s.endsWith(`#${keyParts(i)}`))
      throw new Error('shape');
    const key = { gsi1pk: outletsPartition, gsi1sk: s, ...outletKey(i) };
    if (!isKeyValue(key.gsi1sk, keyBytes.sort) || !isKeyValue(key.pk, keyBytes.partition))
      throw new Error('size');
    return key;
  } catch {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
}

export interface OutletListing {
  /**
   * The outlets `where` accepts, in name order (the bytes of the lower-case name, then the id: the
   * index's sort key), `limit` at most per page. A cursor outlives the outlet it was taken after.
   * With `genres` (a release's), DynamoDB sends back only the outlets that may match them
   * (`outletMatchesRelease`), which `where` must still check: outlets written before their genres
   * were kept for it come back whatever their genres.
   */
  list(options: {
    limit: number;
    cursor?: string;
    where?: (outlet: Outlet) => boolean;
    genres?: readonly string[];
  }): Promise<OutletPage>;
}

/**
 * The outlets with these ids that exist (`outletsById`, shared/db/outlets-by-id.ts, read in batches): apart
 * from the listing, because a function's DynamoDB grants follow the modules it imports
 * (docs/design.md#topology): the management and jobs functions, which list and write outlets, are
 * granted no BatchGetItem.
 */
export interface OutletsById {
  getMany(outletIds: readonly string[]): Promise<Map<string, Outlet>>;
}

export function outletListing(db: DynamoDBDocumentClient, TableName: string): OutletListing {
  const list: OutletListing['list'] = async ({ limit, cursor, where = () => true, genres }) => {
    const outlets: Outlet[] = [];
    const filter = genres ? genreFilter(genres) : undefined;
    let reads = 0;
    let startKey: Record<string, unknown> | undefined;
    for await (const page of paginateQuery(
      { client: db },
      {
        TableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExclusiveStartKey: cursor ? decodeCursor(cursor) : undefined,
        // Limit counts the outlets read, before the filter.
        Limit: Math.max(limit, 100),
        ProjectionExpression: projection.ProjectionExpression,
        ...(filter ? { FilterExpression: filter.FilterExpression } : {}),
        ExpressionAttributeNames: { ...projection.ExpressionAttributeNames, ...filter?.names },
        ExpressionAttributeValues: { ':p': outletsPartition, ...filter?.values },
      },
    )) {
      const items = (page.Items ?? []).map(toOutlet);
      for (const [index, outlet] of items.entries()) {
        if (!where(outlet)) continue;
        outlets.push(outlet);
        if (outlets.length < limit) continue;
        // More follow when the table has more, or this read holds another outlet `where` takes: a cursor
        // after the page's last outlet otherwise leads to an empty page.
        const more = page.LastEvaluatedKey !== undefined || items.slice(index + 1).some(where);
        return { outlets, ...(more ? { nextCursor: cursorAfter(outletListKey(outlet).gsi1sk) } : {}) };
      }
      if (!page.LastEvaluatedKey) return { outlets };
      startKey = page.LastEvaluatedKey;
      // Bounded work per request: with a narrow filter, a page may hold fewer than `limit` outlets.
      if (++reads === 10) break;
    }
    // Ten reads, each with more after it: go on after the last outlet read.
    return { outlets, nextCursor: cursorAfter(String(startKey!.gsi1sk)) };
  };

  return { list };
}
