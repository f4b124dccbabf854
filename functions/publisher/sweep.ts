import { overdueMetric, parkedMetric } from '#shared/db/outbox-publishing.ts';
import { type Measure, noMeasure } from '#shared/lambda/metrics.ts';
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
  /** Parked now, by this sweep or before it and not redriven yet (the parked alarm's metric). */
  parkedNow: number;
}

/**
 * On `Outbox Sweep Due` (every minute): republishes entries left unpublished for three minutes or
 * more (the stream path gave up, or lost them: a stream keeps records 24 hours, and its on-failure
 * queue gets only their positions) and marks them published. Reports how many were unpublished for
 * more than five minutes, and how many are parked now (the alarms' metrics). Throws when the bus
 * refused some for now, so the failure is visible; they stay unpublished for the next sweep either
 * way. Those it refused for good are parked instead. See docs/design.md#the-outbox.
 */
export async function sweepOutbox(deps: PublisherDeps, measure: Measure = noMeasure): Promise<SweepResult> {
  const swept = await settled(republish(deps, measure));
  // Whatever the republishing did, a refusal for now included: the parked alarm stays on while the
  // minute's sweeps report entries parked, so every sweep reports them.
  const parkedNow = await settled(reportParked(deps));
  if (!swept.ok) throw swept.error;
  if (!parkedNow.ok) throw parkedNow.error;
  return { ...swept.value, parkedNow: parkedNow.value };
}

async function republish(deps: PublisherDeps, measure: Measure): Promise<Omit<SweepResult, 'parkedNow'>> {
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
  const outcome = await publishEntries(entries, deps, measure);
  deps.log.info('outbox sweep', {
    republished: outcome.published.length,
    stillUnpublished: outcome.refused.length,
    parked: outcome.parked.length,
  });
  // Only what the bus refused for now fails the sweep: an entry refused for good is parked, and no
  // longer the sweep's (docs/design.md#the-outbox).
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

/** Logs how many entries are parked now, when any is: the parked alarm's metric (infra/stack.ts). */
async function reportParked(deps: PublisherDeps): Promise<number> {
  const parked = await deps.outbox.parkedCount();
  if (parked > 0) {
    // Warn, so that it is never filtered out; a minute without the line is a minute with none parked.
    deps.log.warn('outbox entries parked, waiting for a redrive (npm run redrive)', {
      [parkedMetric.field]: parked,
    });
  }
  return parked;
}

async function settled<T>(work: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await work };
  } catch (error) {
    return { ok: false, error };
  }
}
