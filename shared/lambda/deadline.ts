import type { Context } from 'aws-lambda';

/** Work stops this long before Lambda's timeout; the rest continues in a new invocation. */
export const invocationMarginMs = 30_000;
/** Without a Lambda context (a direct call): the budget of one invocation. */
const fallbackBudgetMs = 240_000;

/**
 * When a long step (a mailing, press to a large directory) must stop and hand the rest to the next
 * invocation, which it starts by putting its own event on the bus again with a cursor.
 */
export function invocationDeadline(now: () => Date, context: Context | undefined): number {
  const remaining = context?.getRemainingTimeInMillis?.();
  return now().getTime() + (remaining ? Math.max(1_000, remaining - invocationMarginMs) : fallbackBudgetMs);
}
