import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { retry } from '../retry.ts';

/** EventBridge: at most 10 entries per PutEvents call. */
const maxEntriesPerCall = 10;

export class PublishError extends Error {
  readonly failed: { entry: PutEventsRequestEntry; code?: string; message?: string }[];
  constructor(failed: PublishError['failed']) {
    super(
      `EventBridge refused ${failed.length} event(s): ${failed.map((f) => `${f.code ?? 'Unknown'} ${f.message ?? ''}`.trim()).join('; ')}`,
    );
    this.failed = failed;
  }
}

/**
 * Puts events on a bus, checking every entry's result: PutEvents answers 200 even when some entries
 * failed (`FailedEntryCount`), so only the failed entries are retried, with backoff, a bounded number
 * of times. Throws PublishError with what still failed.
 */
export async function publishEvents(
  client: EventBridgeClient,
  entries: PutEventsRequestEntry[],
  options: { attempts?: number; baseDelayMs?: number } = {},
): Promise<void> {
  for (let start = 0; start < entries.length; start += maxEntriesPerCall) {
    let pending = entries.slice(start, start + maxEntriesPerCall);
    let failed: PublishError['failed'] = [];
    await retry(
      async () => {
        const result = await client.send(new PutEventsCommand({ Entries: pending }));
        failed = (result.Entries ?? [])
          .map((outcome, i) => ({
            entry: pending[i],
            code: outcome.ErrorCode,
            message: outcome.ErrorMessage,
          }))
          .filter((outcome) => outcome.code !== undefined);
        if (failed.length > 0) {
          pending = failed.map((f) => f.entry);
          throw new PublishError(failed);
        }
      },
      { attempts: options.attempts ?? 4, baseDelayMs: options.baseDelayMs ?? 100 },
    );
  }
}
