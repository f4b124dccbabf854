/**
 * Exponential backoff with full jitter: a random wait below `baseDelayMs * 2^(attempt-1)`, capped at
 * `maxDelayMs`, so that callers retrying the same failure do not retry in step.
 */
export const backoffDelay = (attempt: number, baseDelayMs: number, maxDelayMs = 5_000): number =>
  Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
