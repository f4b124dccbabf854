import type { Job } from '#shared/db/jobs.ts';
import { publishRecorded } from '#shared/webhook-publishing.ts';
import type { JobsDeps, PageWork } from './ports.ts';

/**
 * One page of a webhook replay: re-publishes the events of a page of the label's webhooks received
 * in [from, to], oldest first, with their original eventIds (a replay is a redelivery; consumers are
 * idempotent, so a re-run of the page republishes what it did and harms nothing). Events the bus
 * refuses fail the page, which Lambda retries.
 */
export async function replayPage(job: Job, _page: number, deps: JobsDeps): Promise<PageWork> {
  if (job.input.kind !== 'webhook-replay') return { fail: `job ${job.jobId} is not a webhook replay` };
  const { labelId, from, to } = job.input;
  if (!(await deps.labels.get(labelId))) return { fail: `label ${labelId} no longer exists` };
  const page = await deps.webhooks.receivedBetween(
    labelId,
    new Date(from),
    new Date(to),
    deps.now(),
    job.cursor,
  );
  const republishable = page.items.filter((record) => record.status !== 'unpublishable');
  const outcome = await publishRecorded(republishable, deps);
  if (outcome.failed.length > 0) {
    throw new Error(`the event bus refused ${outcome.failed.length} replayed event(s)`);
  }
  return {
    rows: page.items.length,
    counts: { replayed: outcome.published.length },
    rejected: [],
    last: page.next === undefined,
    ...(page.next ? { cursor: page.next } : {}),
  };
}
