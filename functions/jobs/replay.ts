import type { Job, JobRejection } from '#shared/db/jobs.ts';
import { unbuildable } from '#shared/db/replay-rejections.ts';
import type { JobsDeps, PageWork } from './ports.ts';

/**
 * One page of a webhook replay: puts a page of the label's webhooks received in [from, to] back in
 * the outbox, oldest first, with their original eventIds; the publisher puts their events on the
 * bus as for new webhooks (see docs/design.md#the-outbox). A replay is a redelivery and consumers
 * are idempotent, so a re-run of the page, putting them back again, harms nothing.
 *
 * A record it does not put back is listed with why: one whose event could not be built before (with
 * the publisher's reason), or that expired meanwhile. One whose event the publisher can no longer
 * build once put back (an ERN message the reader, stricter since, refuses) is listed by the publisher
 * (`ReplayRejections`, shared/db/replay-rejections.ts): see docs/design.md#jobs.
 */
export async function replayPage(job: Job, pageNumber: number, deps: JobsDeps): Promise<PageWork> {
  if (job.input.kind !== 'webhook-replay') return { fail: `job ${job.jobId} is not a webhook replay` };
  const { labelId, from, to } = job.input;
  const now = deps.now();
  const page = await deps.webhooks.receivedBetween(labelId, new Date(from), new Date(to), now, job.cursor);
  let replayed = 0;
  const rejected: JobRejection[] = [];
  for (const record of page.items) {
    const unpublishable = record.status === 'unpublishable';
    // Put back by an earlier attempt at this page, then refused by the publisher, which listed it and
    // counted it rejected in place of this page's count of it as replayed: counted so again, not listed twice.
    const told =
      unpublishable &&
      (record.replayedByPages ?? []).some(({ jobId, page }) => jobId === job.jobId && page === pageNumber);
    const error =
      unpublishable && !told
        ? unbuildable(record.unpublishableReason ?? 'no reason recorded')
        : told || (await deps.webhooks.requeue(record, now, { jobId: job.jobId, page: pageNumber }))
          ? undefined
          : 'it could not be put back: it expired, or its event could no longer be built, meanwhile';
    if (error === undefined) replayed++;
    else rejected.push({ webhookId: record.webhookId, error });
  }
  return {
    rows: page.items.length,
    counts: { replayed, rejected: rejected.length },
    rejected,
    last: page.next === undefined,
    ...(page.next ? { cursor: page.next } : {}),
  };
}
