import type { Job, JobKind } from '#shared/db/jobs.ts';
import { buildEntry } from '#shared/events/envelope.ts';
import { JobPageDue } from '#shared/events/job-page-due.ts';
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
 * Runs one page of a job, then asks for the next through a new `Job Page Due` (see
 * docs/design.md#jobs). The page's completion is recorded with the job's progress in one
 * conditional write, so a page re-run after a crash, or run twice by a duplicate event, counts once;
 * the work itself is written so that doing it again changes nothing.
 */
export async function runJobPage(
  request: { jobId: string; page: number },
  deps: JobsDeps,
): Promise<PageOutcome> {
  const { jobId, page } = request;
  const job = await deps.jobs.get(jobId);
  if (!job) return { outcome: 'unknown-job', page };
  if (job.status === 'done' || job.status === 'failed') return { outcome: 'finished', page };
  if (page < job.pagesDone) {
    // Recorded before: if the crash came between recording it and asking for the next page, ask now.
    await continueWith(job, deps);
    return { outcome: 'recorded-before', page };
  }
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
  const recorded = await deps.jobs.completePage(job, page, { ...work, at: deps.now().toISOString() });
  if (!recorded) {
    await continueWith((await deps.jobs.get(jobId)) ?? job, deps);
    return { outcome: 'recorded-before', page };
  }
  if (work.last) return { outcome: 'done', page };
  await continueWith({ ...job, pagesDone: page + 1 }, deps);
  return { outcome: 'continued', page };
}

/**
 * Puts the next page's `Job Page Due` on the bus unless it is known to be there. A duplicate (two
 * runs racing here) costs one more run of a page whose completion is recorded once.
 */
async function continueWith(job: Job, deps: JobsDeps): Promise<void> {
  const next = job.pagesDone;
  const finished =
    job.status === 'done' || job.status === 'failed' || (job.pages !== undefined && next >= job.pages);
  if (finished || next === 0 || (job.continued ?? 0) >= next) return;
  await deps.publish([
    buildEntry(
      JobPageDue,
      { jobId: job.jobId, kind: job.kind, page: next },
      { correlationId: job.correlationId },
      deps.busName,
    ),
  ]);
  await deps.jobs.markContinued(job.jobId, next);
}
