import { createHash } from 'node:crypto';

/**
 * Every table key and every name built from more than one id goes through these two functions, so
 * that no two different tuples of ids can meet (see docs/design.md#unambiguous-keys). Release, tour,
 * budget and webhook ids are the labels' own and may hold any character, `#` and `-` included:
 * label `acme` + release `rec#r3` must never share a key with label `acme#rec` + release `r3`.
 */

/**
 * `PREFIX#part#part...`, each part escaped so that `#` only ever separates parts: `%` becomes `%25`
 * and `#` becomes `%23`, which is reversible, so different tuples give different keys. Ids made of
 * anything else (the usual letters, digits, `-`, `_`, `.`) read in the key as they are. Not
 * `encodeURIComponent`: it throws on a lone surrogate, which a JSON body can carry.
 */
export const keyOf = (prefix: string, ...parts: (string | number)[]): string =>
  [prefix, ...parts.map(escapePart)].join('#');

/** The parts of a sort key with no prefix of its own (`<receivedAt>#<webhookId>`), escaped as `keyOf` does. */
export const keyParts = (...parts: (string | number)[]): string => parts.map(escapePart).join('#');

const escapePart = (part: string | number): string =>
  String(part).replaceAll('%', '%25').replaceAll('#', '%23');

/** The last part of a key made by `keyOf` or `keyParts`, as it was before escaping. */
export const lastPartOf = (key: string): string =>
  key
    .slice(key.lastIndexOf('#') + 1)
    .replaceAll('%23', '#')
    .replaceAll('%25', '%');

/** DynamoDB's limits on a key attribute's value, in bytes of UTF-8: a partition key's, a sort key's. */
export const keyBytes = { partition: 2048, sort: 1024 } as const;

/**
 * Whether `value` is a key attribute's value DynamoDB takes (a string, non-empty, UTF-8 so holding no lone
 * surrogate, within `limit` bytes): what a cursor brings back is checked so, as DynamoDB would otherwise
 * refuse it with a 5xx.
 */
export const isKeyValue = (value: unknown, limit: number): value is string =>
  typeof value === 'string' && value !== '' && value.isWellFormed() && Buffer.byteLength(value) <= limit;

/** Thrown for a cursor its listing did not make, or naming keys DynamoDB would refuse (`isKeyValue`). */
export class InvalidCursorError extends Error {}

/**
 * A fixed-length hex digest of a tuple of ids, for names with a length limit and a narrow alphabet
 * (an EventBridge Scheduler name is at most 64 characters of `[0-9a-zA-Z-_.]`). The tuple is
 * JSON-encoded before hashing, so `["acme", "rec-r3"]` and `["acme-rec", "r3"]` differ.
 */
export const nameHash = (ids: readonly string[], hexLength = 40): string =>
  createHash('sha256').update(JSON.stringify(ids)).digest('hex').slice(0, hexLength);
