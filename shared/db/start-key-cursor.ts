/**
 * A query's LastEvaluatedKey carried as a string between invocations (in an event or a job's state, never
 * to a client, whose cursors go through shared/http/cursor.ts), and back as the next query's
 * ExclusiveStartKey: the key as JSON, base64url.
 */
export const cursorOfKey = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

export const keyOfCursor = (cursor: string | undefined): Record<string, unknown> | undefined =>
  cursor
    ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>)
    : undefined;
