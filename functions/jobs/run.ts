import type { JobKind } from '#shared/db/jobs.ts';
import { JobPageDue } from '#shared/events/job-page-due.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import { importPage } from './outlet-import.ts';
import type { JobsDeps, PageWorker } from './ports.ts';
import { replayPage } from './replay.ts';

const workers: Record<JobKind, PageWorker> = {
  'outlet-import': importPage,
  'webhook-replay': replayPage,
};

/** Attempts at one page (Lambda's first try and its two retries) before the job is failed. */
export const maxPageAttempts = 3;

export type PageOutcome =
  | { outcome: 'done' | 'continued'; page: number }
  | { outcome: 'recorded-before' | 'finished' | 'unknown-job' | 'not-yet'; page: number }
  | { outcome: 'failed'; page: number; error: string };

/**
 * Runs one page of a job (see docs/design.md#jobs). The page's completion is recorded with the job's
 * progress and the next page's `Job Page Due` (in the outbox) in one conditional transaction, so a
 * page re-run after a crash, or run twice by a duplicate event, counts once and asks for the next
 * page once; the work itself is written so that doing it again changes nothing.
 */
export async function runJobPage(
  request: { jobId: string; page: number },
  deps: JobsDeps,
): Promise<PageOutcome> {
  const { jobId, page } = request;
  const job = await deps.jobs.get(jobId);
  if (!job) return { outcome: 'unknown-job', page };
  if (job.status === 'done' || job.status === 'failed') return { outcome: 'finished', page };
  if (page < job.pagesDone) return { outcome: 'recorded-before', page };
  if (page > job.pagesDone) return { outcome: 'not-yet', page };

  await deps.jobs.markRunning(jobId, deps.now().toISOString());
  let work: Awaited<ReturnType<PageWorker>>;
  try {
    work = await workers[job.kind](job, page, deps);
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    const failures = await deps.jobs.recordFailure(jobId, page, message, deps.now().toISOString());
    if (failures < maxPageAttempts) throw error;
    deps.log.error('job failed', { jobId, page, error: message });
    await deps.jobs.fail(
      jobId,
      `page ${page} failed ${failures} times: ${message}`,
      deps.now().toISOString(),
    );
    return { outcome: 'failed', page, error: message };
  }
  if ('fail' in work) {
    await deps.jobs.fail(jobId, work.fail, deps.now().toISOString());
    return { outcome: 'failed', page, error: work.fail };
  }
  const next = work.last
    ? undefined
    : outboxEntry(
        JobPageDue,
        { jobId, kind: job.kind, page: page + 1 },
        { correlationId: job.correlationId },
      );
  const recorded = await deps.jobs.completePage(job, page, {
    ...work,
    ...(next ? { next } : {}),
    at: deps.now().toISOString(),
  });
  if (!recorded) return { outcome: 'recorded-before', page };
  return { outcome: work.last ? 'done' : 'continued', page };
}
