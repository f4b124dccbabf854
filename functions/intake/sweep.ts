import type { WebhookRecords } from '#shared/db/webhooks.ts';
import { type PublishingDeps, publishRecorded } from '#shared/webhook-publishing.ts';
import { stalePendingMs } from './receive.ts';

export interface SweepDeps extends PublishingDeps {
  webhooks: WebhookRecords;
}

/** One sweep publishes at most this many; the next minute's sweep takes the rest. */
export const sweepBatchSize = 500;

export interface SweepResult {
  republished: number;
  stillPending: number;
}

/**
 * Republishes the events of webhooks still pending a minute after they arrived (intake's own attempt
 * failed or crashed) and marks them published. Idempotent: a published record leaves the pending index,
 * and a record published twice carries the same eventId both times. Throws when the bus refused some,
 * so the failure is retried and visible; they stay pending for the next sweep either way.
 */
export async function sweepPendingWebhooks(deps: SweepDeps): Promise<SweepResult> {
  const cutoff = new Date(deps.now().getTime() - stalePendingMs);
  const pending = await deps.webhooks.pendingSince(cutoff, sweepBatchSize);
  if (pending.length === 0) return { republished: 0, stillPending: 0 };
  const outcome = await publishRecorded(pending, deps);
  deps.log.info('outbox sweep', {
    republished: outcome.published.length,
    stillPending: outcome.failed.length,
  });
  if (outcome.failed.length > 0) {
    throw new Error(
      `outbox sweep: the bus refused ${outcome.failed.length} of ${pending.length} pending webhook events`,
    );
  }
  return { republished: outcome.published.length, stillPending: 0 };
}
