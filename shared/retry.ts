/**
 * Retries an operation with exponential backoff and full jitter, a bounded number of times.
 * Only for operations that are safe to repeat; the last error is rethrown.
 */
export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  options: {
    attempts: number;
    baseDelayMs: number;
    maxDelayMs?: number;
    retryable?: (error: unknown) => boolean;
  },
): Promise<T> {
  const { attempts, baseDelayMs, maxDelayMs = 5_000, retryable = () => true } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= attempts || !retryable(error)) throw error;
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
}
