import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { WebhookRecord, WebhookRecords } from './db/webhooks.ts';
import { PublishError } from './events/publish.ts';
import type { Log } from './lambda/observability.ts';
import { parseWebhookBody, webhookEntry } from './webhooks.ts';

/**
 * Publishing recorded webhooks' events: intake's first attempt, the outbox sweep (docs/design.md#the-outbox) and a
 * replay all go through `publishRecorded`, so each publishes the same event (same eventId) for a record.
 */

/** Puts entries on the bus; throws (PublishError for refused entries) when some could not be put. */
export type PublishEntries = (entries: PutEventsRequestEntry[]) => Promise<void>;

export interface PublishingDeps {
  webhooks: Pick<WebhookRecords, 'markPublished' | 'markUnpublishable'>;
  publish: PublishEntries;
  busName: string;
  now: () => Date;
  log: Log;
}

export interface PublishOutcome {
  published: WebhookRecord[];
  failed: WebhookRecord[];
  unpublishable: WebhookRecord[];
}

function entryOf(
  record: WebhookRecord,
  busName: string,
): { entry: PutEventsRequestEntry } | { problem: string } {
  const parsed = parseWebhookBody(record.body);
  if (!parsed.ok) return { problem: parsed.error.message };
  try {
    return { entry: webhookEntry(parsed.body, record, busName) };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/** EventBridge: at most 10 entries per PutEvents call. */
const entriesPerCall = 10;

/**
 * Publishes the events of recorded webhooks in the given order, ten per call, and marks the pending
 * ones published once the bus has them. A record the bus refused stays pending for the next sweep.
 */
export async function publishRecorded(
  records: WebhookRecord[],
  deps: PublishingDeps,
): Promise<PublishOutcome> {
  const outcome: PublishOutcome = { published: [], failed: [], unpublishable: [] };
  const ready: { record: WebhookRecord; entry: PutEventsRequestEntry }[] = [];
  for (const record of records) {
    const built = entryOf(record, deps.busName);
    if ('entry' in built) {
      ready.push({ record, entry: built.entry });
      continue;
    }
    // Only possible if a schema changed incompatibly after the webhook was accepted: keep the
    // record, but stop retrying it (a poison record must not block every later sweep).
    deps.log.error('recorded webhook no longer makes a valid event', {
      labelId: record.labelId,
      webhookId: record.webhookId,
      problem: built.problem,
    });
    if (record.status === 'pending') await deps.webhooks.markUnpublishable(record, built.problem);
    outcome.unpublishable.push(record);
  }

  for (let start = 0; start < ready.length; start += entriesPerCall) {
    const chunk = ready.slice(start, start + entriesPerCall);
    let refused = new Set<PutEventsRequestEntry>(chunk.map((c) => c.entry));
    try {
      await deps.publish(chunk.map((c) => c.entry));
      refused = new Set();
    } catch (error) {
      if (error instanceof PublishError) refused = new Set(error.failed.map((f) => f.entry));
      deps.log.warn('could not publish webhook events; they stay pending for the outbox sweep', {
        webhookIds: chunk.filter((c) => refused.has(c.entry)).map((c) => c.record.webhookId),
        error: (error as Error).message,
      });
    }
    const done = chunk.filter((c) => !refused.has(c.entry)).map((c) => c.record);
    outcome.published.push(...done);
    outcome.failed.push(...chunk.filter((c) => refused.has(c.entry)).map((c) => c.record));
    const toMark = done.filter((r) => r.status === 'pending');
    if (toMark.length > 0) await deps.webhooks.markPublished(toMark, deps.now());
  }
  return outcome;
}
