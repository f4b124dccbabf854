import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Delivery, MailSubject } from './deliveries.ts';
import { InvalidCursorError, isKeyValue, keyBytes } from './keys.ts';
import { deliveryKey, deliveryOf, deliveryShards, subjectDeliveriesKey } from './subject-deliveries.ts';

/**
 * A subject's deliveries a page at a time, for the release's deliveries view: a release mailed to a
 * large directory has more rows than one response may carry (Lambda answers at most 6 MB). Pages
 * follow the index: shard by shard, each in address order. Kept apart from the delivery store, which
 * every mail sender bundles, since only the management API reads them so.
 */
export interface DeliveryPage {
  deliveries: Delivery[];
  /** Opaque; pass it back to read the next page. Absent on the last page. */
  nextCursor?: string;
}

interface Position {
  shard: number;
  startKey?: Record<string, unknown>;
}

const keyNames = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;

const encodeCursor = ({ shard, startKey }: Position) =>
  Buffer.from(JSON.stringify({ s: shard, ...(startKey ? { k: startKey } : {}) })).toString('base64url');

/** A cursor this function made for this subject, or InvalidCursorError (one made for another subject included). */
function decodeCursor(cursor: string, labelId: string, subject: MailSubject): Position {
  try {
    const { s, k } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      s?: unknown;
      k?: unknown;
    };
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s >= deliveryShards)
      throw new Error('shard');
    if (k === undefined) return { shard: s };
    const key = k as Record<string, unknown>;
    // A delivery's own key (`deliveryKey`), and values DynamoDB takes as keys: a table key (`pk`, `sk`)
    // and an index key (`gsi1pk`, `gsi1sk`), each within its limit.
    const shaped =
      typeof k === 'object' &&
      k !== null &&
      Object.keys(key).length === keyNames.length &&
      keyNames.every((name) =>
        isKeyValue(key[name], name.endsWith('pk') ? keyBytes.partition : keyBytes.sort),
      ) &&
      key.sk === deliveryKey('').sk &&
      String(key.pk).startsWith(deliveryKey('').pk) &&
      key.pk !== deliveryKey('').pk;
    if (!shaped || key.gsi1pk !== subjectDeliveriesKey(labelId, subject, s)) throw new Error('key');
    return { shard: s, startKey: key };
  } catch {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
}

/** Up to `limit` deliveries of the subject from `cursor` (the first page without one). */
export async function deliveriesPage(
  db: DynamoDBDocumentClient,
  table: string,
  labelId: string,
  subject: MailSubject,
  { limit, cursor }: { limit: number; cursor?: string },
): Promise<DeliveryPage> {
  let { shard, startKey } = cursor
    ? decodeCursor(cursor, labelId, subject)
    : { shard: 0, startKey: undefined };
  const deliveries: Delivery[] = [];
  while (shard < deliveryShards && deliveries.length < limit) {
    const page = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': subjectDeliveriesKey(labelId, subject, shard) },
        Limit: limit - deliveries.length,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) deliveries.push(deliveryOf(item));
    startKey = page.LastEvaluatedKey;
    if (!startKey) shard++;
  }
  return {
    deliveries,
    ...(shard < deliveryShards
      ? { nextCursor: encodeCursor({ shard, ...(startKey ? { startKey } : {}) }) }
      : {}),
  };
}
