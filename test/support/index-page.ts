import { keyParts } from '#shared/db/keys.ts';

/**
 * A page of rows in the index's order (the bytes of their sort key, `keyParts` of their row), as
 * DynamoDB answers it: at most `limit` after the row `after` names, and whether more follow.
 */
export function indexPage<T>(rows: T[], rowOf: (row: T) => string[], limit: number, after?: string[]) {
  const sortKey = (parts: string[]) => Buffer.from(keyParts(...parts));
  const ordered = rows
    .map((row) => ({ row, key: sortKey(rowOf(row)) }))
    .filter(({ key }) => !after || Buffer.compare(key, sortKey(after)) > 0)
    .sort((a, b) => Buffer.compare(a.key, b.key));
  return { rows: ordered.slice(0, limit).map(({ row }) => row), more: ordered.length > limit };
}
