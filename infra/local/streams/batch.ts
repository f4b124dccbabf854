/**
 * How a Lambda event source mapping hands one batch of stream records to its function, for the
 * local cloud: the same answers as on AWS for the cases Backline relies on.
 *
 * - The function throws: with `bisectBatchOnError`, a batch of more than one record is split in two
 *   and each half is delivered on its own (a split uses up no retry); otherwise the batch is retried.
 * - The function answers a partial batch response (`batchItemFailures`): the records before the first
 *   failed one are done (the checkpoint), and the batch is retried from that record on. An identifier
 *   that is not in the batch makes the whole batch failed, as on AWS.
 * - After `retryAttempts` retries (with backoff) a batch is given up: its metadata goes to the
 *   on-failure destination, and the mapping moves on past it.
 */

export interface StreamRecordLike {
  dynamodb: { SequenceNumber: string; ApproximateCreationDateTime?: number };
}

export interface BatchPolicy {
  retryAttempts: number;
  bisectBatchOnError: boolean;
  /** First retry delay, doubled per retry. */
  retryBaseMs: number;
}

/** A batch given up: what the on-failure destination is told. */
export interface FailedBatch<R> {
  records: R[];
  /** Invocations of these records, the first included. */
  attempts: number;
  error: string;
}

type Invoke<R> = (records: R[]) => Promise<unknown>;

/** The identifiers of a partial batch response; undefined when the function reported none. */
function reportedFailures(response: unknown): string[] | undefined {
  const failures = (response as { batchItemFailures?: { itemIdentifier?: unknown }[] } | null)
    ?.batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  return failures.map((failure) => String(failure?.itemIdentifier ?? ''));
}

export async function deliverBatch<R extends StreamRecordLike>(
  records: R[],
  invoke: Invoke<R>,
  policy: BatchPolicy,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<FailedBatch<R>[]> {
  const run = async (batch: R[], retriesLeft: number, attemptsBefore: number): Promise<FailedBatch<R>[]> => {
    let pending = batch;
    let attempts = attemptsBefore;
    for (;;) {
      attempts++;
      let error: string;
      try {
        const failed = reportedFailures(await invoke(pending));
        if (!failed) return [];
        const first = pending.findIndex((record) => failed.includes(record.dynamodb.SequenceNumber));
        const known = failed.every((id) => pending.some((record) => record.dynamodb.SequenceNumber === id));
        if (known && first >= 0) pending = pending.slice(first);
        error = `the function reported ${failed.length} failed record(s)${known ? '' : ' not in the batch'}`;
      } catch (thrown) {
        error = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
        if (policy.bisectBatchOnError && pending.length > 1) {
          const half = Math.ceil(pending.length / 2);
          return [
            ...(await run(pending.slice(0, half), retriesLeft, attempts)),
            ...(await run(pending.slice(half), retriesLeft, attempts)),
          ];
        }
      }
      if (retriesLeft <= 0) return [{ records: pending, attempts, error }];
      retriesLeft--;
      await sleep(policy.retryBaseMs * 2 ** (policy.retryAttempts - retriesLeft - 1));
    }
  };
  return run(records, policy.retryAttempts, 0);
}
