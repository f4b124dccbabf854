import { InvalidCursorError } from '../db/keys.ts';
import * as z from '../zod.ts';
import { ValidationError } from './errors.ts';

/**
 * The cursor of a listing the office answers a page at a time (a budget's ledger, its unconverted and
 * refused expenses, its possible duplicates and drift history, a label's budgets, the promoter directory,
 * a promoter's shows; see docs/design.md#routes-and-auth): it
 * names the listing and the row a page was taken after, not a position, so it outlives the row and rows
 * written since land in their place. Base64url JSON, opaque to the caller.
 */
export const cursorAfter = (listing: string, row: readonly string[]): string =>
  Buffer.from(JSON.stringify([listing, ...row])).toString('base64url');

/** The 400 of a cursor this API did not return (the one answer for every listing, paged in memory or by DynamoDB). */
const notReturned = () =>
  new ValidationError([{ path: 'query.cursor', message: 'is not one this API returned' }]);

/**
 * A page read by a store whose cursor names keys it cannot have made (`InvalidCursorError`, thrown by a
 * store that pages a DynamoDB query): a 400 at `query.cursor`, as `rowAfter`'s.
 */
export async function cursorChecked<T>(page: Promise<T>): Promise<T> {
  try {
    return await page;
  } catch (error) {
    if (error instanceof InvalidCursorError) throw notReturned();
    throw error;
  }
}

/**
 * The row a cursor of `listing` was taken after (`parts` strings, none empty), or a 400 at
 * `query.cursor` for one this API did not return for that listing (another listing's included).
 */
export function rowAfter(cursor: string, listing: string, parts: number): string[] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const [name, ...row] = Array.isArray(decoded) ? (decoded as unknown[]) : [];
  if (name !== listing || row.length !== parts || !row.every((part) => typeof part === 'string' && part))
    throw notReturned();
  return row as string[];
}

/**
 * The query parameter: the row's parts JSON-escaped (six bytes a character at most) and base64url-encoded.
 * The longest is a possible duplicate's (a vendor of 200 characters, an invoice number of 100, a budget id
 * and an expense id of 128): under 4.5 KB, so 6 KB, with the path's two ids of 128 characters (9 bytes a
 * character URL-encoded) within the 10 KB an HTTP API takes of a request line and its headers.
 */
export const Cursor = z.optional(z.string().check(z.minLength(1), z.maxLength(6144)));

/**
 * `limit`: at most `most` rows a page (each listing sets it for its longest row), `usual` when not given.
 * Written in decimal digits alone: a number JavaScript would also read (`1e1`, `0x10`, ` 5`) is refused,
 * as is text that is no number (`ten`, or `2,3`; a parameter given twice is told so by `queryOf`, an
 * empty one that it is empty). The document states the digits (`pattern`) and the range in its words.
 */
export function pageLimit(most: number, usual: number) {
  const range = `must be from 1 to ${most}`;
  return z._default(
    z.pipe(
      z
        .string()
        .check(
          z.regex(/^\d+$/, 'must be a whole number written in digits, such as 50'),
          z.describe(`a whole number from 1 to ${most}, in decimal digits (${usual} if not given)`),
        ),
      // The range alone is left to check, each bound ending the rest (`abort`).
      z.pipe(
        z.transform(Number),
        z.number().check(z.gte(1, { error: range, abort: true }), z.lte(most, range)),
      ),
    ),
    usual,
  );
}

/**
 * Orders rows by their parts, each by its UTF-16 code units (as `<` compares strings), the first part
 * first: never a locale's collation, which ranks distinct texts equal (é written as one character and as
 * two), so that a cursor after one of them would skip the other. What a listing pages in this order and
 * a day's result lists too (a budget's possible duplicates) is ordered by it alike.
 */
export const byParts = (a: readonly string[], b: readonly string[]): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length - b.length;
};

/**
 * A page of a listing held whole in memory (read with its partition): the rows after the one the
 * cursor names, by `partsOf` in order, at most `limit`, with the cursor after the last when more follow.
 */
export function pageOf<T>(
  listing: { name: string; parts: number; partsOf: (row: T) => string[] },
  rows: readonly T[],
  { limit, cursor }: { limit: number; cursor?: string | undefined },
): { rows: T[]; nextCursor?: string } {
  const { name, parts, partsOf } = listing;
  const after = cursor ? rowAfter(cursor, name, parts) : undefined;
  const ordered = rows
    .map((row) => ({ row, parts: partsOf(row) }))
    .filter((entry) => !after || byParts(entry.parts, after) > 0)
    .sort((a, b) => byParts(a.parts, b.parts));
  const page = ordered.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page.map(({ row }) => row),
    ...(ordered.length > page.length && last ? { nextCursor: cursorAfter(name, last.parts) } : {}),
  };
}
