import type { Job } from '#shared/db/jobs.ts';
import type { JobsDeps, PageWork } from './ports.ts';

/**
 * One page of a webhook replay: puts a page of the label's webhooks received in [from, to] back in
 * the outbox, oldest first, with their original eventIds; the publisher puts their events on the
 * bus as for new webhooks (see docs/design.md#the-outbox). A replay is a redelivery and consumers
 * are idempotent, so a re-run of the page, putting them back again, harms nothing.
 */
export async function replayPage(job: Job, _page: number, deps: JobsDeps): Promise<PageWork> {
  if (job.input.kind !== 'webhook-replay') return { fail: `job ${job.jobId} is not a webhook replay` };
  const { labelId, from, to } = job.input;
  const now = deps.now();
  const page = await deps.webhooks.receivedBetween(labelId, new Date(from), new Date(to), now, job.cursor);
  let replayed = 0;
  for (const record of page.items) {
    if (record.status !== 'unpublishable' && (await deps.webhooks.requeue(record, now))) replayed++;
  }
  return {
    rows: page.items.length,
    counts: { replayed },
    rejected: [],
    last: page.next === undefined,
    ...(page.next ? { cursor: page.next } : {}),
  };
}
