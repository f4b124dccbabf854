import { backoffDelay } from '../retry.ts';

/**
 * Writes that met another write: DynamoDB cancels a TransactWriteItems when another transaction or
 * write touches one of its items at the same moment (reason `TransactionConflict`), and refuses a
 * plain write on an item a transaction holds (`TransactionConflictException`). Either way nothing
 * was written, and the SDK does not try it again. See docs/design.md#failures-and-retries.
 */

/**
 * Cancellation reasons that say the transaction met other writes or capacity, not that an invariant
 * refused it: the transaction wrote nothing and the same one may be sent again. `None` is an item
 * that was fine.
 */
const contention = new Set([
  'None',
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

/**
 * A write cancelled by a concurrent one (or throttled inside a transaction), that can be tried again.
 * A transaction any of whose conditions failed is not one: that is the invariant's answer
 * (`failedConditions`), whatever else its reasons say.
 */
export function isWriteConflict(error: unknown): boolean {
  const name = (error as Error)?.name;
  if (name === 'TransactionConflictException') return true;
  if (name !== 'TransactionCanceledException') return false;
  const codes = ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map(
    (reason) => reason.Code ?? 'None',
  );
  return codes.some((code) => code !== 'None') && codes.every((code) => contention.has(code));
}

/**
 * A write that still met concurrent writes after its retries: nothing of it was written. An HTTP
 * route answers 503 with Retry-After (shared/http/responses.ts); an event handler throws it, and
 * Lambda's retries take the event again.
 */
export class WriteConflictError extends Error {
  constructor(attempts: number, cause: unknown) {
    super(`the write met concurrent writes ${attempts} times and was not made; try again`, { cause });
    this.name = 'WriteConflictError';
  }
}

/** DynamoDB's refusals for throughput: the request was not applied, and may be sent again later. */
const throttled = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);

/**
 * DynamoDB answering "later", not "no", once the SDK's own retries are spent: throttled, failing on its
 * side (a 5xx, whose write may or may not have landed), or a write that kept meeting concurrent ones
 * (`WriteConflictError`). A 5xx of another AWS service a page calls counts too (any SDK error whose
 * `$fault` is `server`). A page a person posted says so and keeps what they sent, to send again.
 */
export const isBusyError = (error: unknown): boolean =>
  error instanceof WriteConflictError ||
  throttled.has((error as Error | undefined)?.name ?? '') ||
  (error as { $fault?: unknown } | undefined)?.$fault === 'server';

/** How many times a write is tried in all, and the backoff between tries (`backoffDelay`). */
export const conflictRetries = { attempts: 5, baseDelayMs: 25, maxDelayMs: 1_000 };

/** The jittered wait before a write's next attempt, after `tried` attempts met a conflict or a changed item. */
export const conflictBackoff = (
  tried: number,
  { baseDelayMs, maxDelayMs }: Pick<typeof conflictRetries, 'baseDelayMs' | 'maxDelayMs'> = conflictRetries,
) => new Promise((resolve) => setTimeout(resolve, backoffDelay(tried, baseDelayMs, maxDelayMs)));

/**
 * Runs `attempt` again, after a jittered backoff, when DynamoDB cancelled its write for a conflict
 * with a concurrent one (`isWriteConflict`), at most `attempts` times in all; then throws
 * `WriteConflictError`. Every other outcome, a refused condition included, is `attempt`'s own, as it
 * would have been without a conflict.
 *
 * The attempt is everything the write was built from: a transaction whose conditions hold all it
 * read (a revision, an address's owner, an opt-out still absent) may be sent again as it is, since a
 * change meanwhile fails a condition and takes the caller's path for a changed item; one built from
 * a read its conditions do not hold makes that read inside `attempt`, so a retry reads afresh.
 */
export async function retryingConflicts<T>(
  attempt: () => Promise<T>,
  options: Partial<typeof conflictRetries> = {},
): Promise<T> {
  const { attempts, baseDelayMs, maxDelayMs } = { ...conflictRetries, ...options };
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isWriteConflict(error)) throw error;
      if (tried >= attempts) throw new WriteConflictError(tried, error);
      await conflictBackoff(tried, { baseDelayMs, maxDelayMs });
    }
  }
}

/** What an `againFromFreshRead` attempt answers when its write was refused because what it read changed. */
export const readAgain: unique symbol = Symbol('read again');

/**
 * Takes `attempt` (a read and the writes built from it) again from a fresh read while its write is
 * refused because what it read changed since (the attempt answers `readAgain`), after `conflictBackoff`,
 * at most `attempts` times in all; then throws `WriteConflictError` naming `what`. Where
 * `retryingConflicts` sends the same write again (a conflict refuses nothing), a refused condition is the
 * invariant's answer, so the attempt reads again and decides anew (docs/design.md#failures-and-retries).
 */
export async function againFromFreshRead<T>(
  what: string,
  attempt: (tried: number) => Promise<T | typeof readAgain>,
  attempts: number = conflictRetries.attempts,
): Promise<T> {
  for (let tried = 1; ; tried++) {
    const answer = await attempt(tried);
    if (answer !== readAgain) return answer;
    if (tried >= attempts) throw new WriteConflictError(tried, what);
    await conflictBackoff(tried);
  }
}
