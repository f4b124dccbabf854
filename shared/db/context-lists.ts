/**
 * Lists kept in a mail claim's `context` (shared/db/deliveries.ts). In a module of their own, which calls
 * no DynamoDB action, because a function's DynamoDB grants follow the modules it imports
 * (docs/design.md#topology): the settlement function reads a press mail's shows and is granted only what
 * it calls.
 */

/**
 * A list of ids kept in a claim's `context` (a string per key: a press mail's shows, a report's
 * budgets and late days), as JSON: an id may hold any character, a comma included (`Id`,
 * shared/events/fields.ts), so ids joined with commas would be read back as others.
 */
export const keptList = (list: readonly unknown[]): string => JSON.stringify(list);

/**
 * A list as `keptList` keeps it. A value not starting with `[` is one kept before, its ids joined with
 * commas: a claim written so may still be open when this is deployed, and the stale-claim sweep, or its
 * late Email Sent, read it after (docs/design.md#exactly-once-mail).
 */
export const listKept = <T = string>(kept = ''): T[] =>
  kept[0] === '[' ? JSON.parse(kept) : kept ? (kept.split(',') as T[]) : [];
