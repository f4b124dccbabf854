import { overdueMetric } from '#shared/db/outbox.ts';
import { type PublisherDeps, publishEntries } from './publish.ts';

/**
 * Entries unpublished this long are the sweep's. The stream path normally publishes an entry within
 * a second; when it fails, the event source mapping retries the batch (3 retries, each invocation up
 * to the publisher's 30 s timeout, with backoff), so it has given up within about two and a half
 * minutes. Three minutes leaves that path its chance first, and the sweep (every minute) still
 * republishes a lost entry well before the 5-minute alarm.
 */
export const sweepAfterMs = 3 * 60_000;

/** One sweep republishes at most this many; the next minute's sweep takes the rest. */
export const sweepBatchSize = 500;

export interface SweepResult {
  republished: number;
  stillUnpublished: number;
  /** Refused by the bus for good and parked by this sweep (docs/design.md#the-outbox). */
  parked: number;
  unpublishedOverFiveMinutes: number;
}

/**
 * On `Outbox Sweep Due` (every minute): republishes entries left unpublished for three minutes or
 * more (the stream path gave up, or lost them: a stream keeps records 24 hours, and its on-failure
 * queue gets only their positions) and marks them published. Reports how many were unpublished for
 * more than five minutes (the alarm's metric). Throws when the bus refused some for now, so the
 * failure is visible; they stay unpublished for the next sweep either way. Those it refused for good
 * are parked instead. See docs/design.md#the-outbox.
 */
export async function sweepOutbox(deps: PublisherDeps): Promise<SweepResult> {
  const now = deps.now().getTime();
  const entries = await deps.outbox.unpublishedBefore(new Date(now - sweepAfterMs), sweepBatchSize);
  const overdue = entries.filter((entry) => now - Date.parse(entry.createdAt) > overdueMetric.afterMs);
  if (overdue.length > 0) {
    // A log metric filter turns this line into the alarm's metric (infra/stack.ts); warn, so that it is never filtered out.
    deps.log.warn('outbox entries unpublished for more than five minutes', {
      [overdueMetric.field]: overdue.length,
      oldestCreatedAt: overdue[0].createdAt,
    });
  }
  if (entries.length === 0)
    return { republished: 0, stillUnpublished: 0, parked: 0, unpublishedOverFiveMinutes: 0 };
  const outcome = await publishEntries(entries, deps);
  deps.log.info('outbox sweep', {
    republished: outcome.published.length,
    stillUnpublished: outcome.refused.length,
    parked: outcome.parked.length,
  });
  // Only what the bus refused for now fails the sweep: an entry refused for good is parked, counted
  // and alarmed once, and no longer the sweep's (docs/design.md#the-outbox).
  if (outcome.refused.length > 0) {
    throw new Error(
      `outbox sweep: the bus refused ${outcome.refused.length} of ${entries.length} unpublished events`,
    );
  }
  return {
    republished: outcome.published.length,
    stillUnpublished: 0,
    parked: outcome.parked.length,
    unpublishedOverFiveMinutes: overdue.length,
  };
}
