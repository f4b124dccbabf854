import {
  attemptLeaseLeftMs,
  attemptLiveUntil,
  attemptRenewalMs,
  attemptRequestTimeoutMs,
  type Job,
  type JobKind,
} from '#shared/db/jobs.ts';
import { WriteFence } from '#shared/db/write-fence.ts';
import { JobPageDue } from '#shared/events/job-page-due.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import { importPage, outletsOfFailedPage } from './outlet-import.ts';
import type { FailedPageEvents, JobsDeps, PageWorker } from './ports.ts';
import { replayPage } from './replay.ts';

const workers: Record<JobKind, PageWorker> = {
  'outlet-import': importPage,
  'webhook-replay': replayPage,
};

/** What a page that failed for good still leads to, by kind (a replay's records are replayed again by a new job). */
const failedPageEvents: Partial<Record<JobKind, FailedPageEvents>> = {
  'outlet-import': outletsOfFailedPage,
};

/**
 * Fails the job at a page whose attempts may have written some of its work, with the events that work
 * leads to in the same write (see docs/design.md#jobs). Reading them may fail: then the job stays
 * running and the invocation fails, and its retry (or the redrive) finds the attempts spent and fails
 * it then.
 */
async function failAtPage(job: Job, page: number, error: string, deps: JobsDeps): Promise<void> {
  const events = (await failedPageEvents[job.kind]?.(job, page, deps)) ?? [];
  await deps.jobs.fail(job.jobId, page, error, deps.now().toISOString(), events);
}

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
 *
 * Each attempt is counted before its work starts, because an attempt Lambda's timeout kills runs
 * nothing after the work: the work gets until `deadline` (time left to record what happened), the
 * last attempt's failure (of the work, or of recording the page) fails the job, and an attempt that finds the page's attempts spent (every
 * one of them killed before it could say so) fails the job instead of doing the work a fourth time.
 */
export async function runJobPage(
  request: { jobId: string; page: number; deadline?: number; owner?: string },
  deps: JobsDeps,
): Promise<PageOutcome> {
  const { jobId, page } = request;
  const job = await deps.jobs.get(jobId);
  if (!job) return { outcome: 'unknown-job', page };
  if (job.status === 'done' || job.status === 'failed') return { outcome: 'finished', page };
  if (page < job.pagesDone) return { outcome: 'recorded-before', page };
  if (page > job.pagesDone) return { outcome: 'not-yet', page };

  const startedAt = deps.now().toISOString();
  // Another invocation's attempt holding the page's lease (a duplicate event) throws: Lambda retries it
  // later, its own (a duplicate delivery of this invocation) too; Lambda's retry of this invocation comes
  // after its lease lapsed (docs/design.md#jobs).
  const attempt = await deps.jobs.startAttempt(jobId, page, startedAt, request.owner);
  // Recorded, or the job finished, since it was read (a duplicate event ran the page meanwhile).
  if (attempt === 0) return { outcome: 'recorded-before', page };
  if (attempt > maxPageAttempts) {
    const error = `page ${page} did not finish in ${maxPageAttempts} attempts: the last was stopped (timed out, or crashed) before it could record how it ended`;
    deps.log.error('job failed', { jobId, page, error });
    await failAtPage(job, page, error, deps);
    return { outcome: 'failed', page, error };
  }
  let work: Awaited<ReturnType<PageWorker>>;
  let recorded = false;
  const fence = new WriteFence(deps.now);
  try {
    work = await withinAttempt(
      fence,
      () => workers[job.kind](job, page, deps, { number: attempt, fence }),
      {
        deadline: request.deadline,
        startedAt,
        renew: (at) => deps.jobs.renewAttempt(jobId, page, attempt, at),
      },
      deps.now,
    );
    if (!('fail' in work)) {
      const next = work.last
        ? undefined
        : outboxEntry(
            JobPageDue,
            { jobId, kind: job.kind, page: page + 1 },
            { correlationId: job.correlationId },
          );
      // Inside the attempt: a page whose recording fails (a write that kept meeting concurrent
      // writes) is a failed attempt like one whose work failed, so the last one fails the job.
      recorded = await deps.jobs.completePage(job, page, {
        ...work,
        attempt,
        ...(next ? { next } : {}),
        at: deps.now().toISOString(),
      });
    }
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    // On the last attempt, a write that went unanswered (given up by the fence's closing, or by the client
    // on its own) may be one DynamoDB had received: it lands within the client's request timeout, so the
    // job's failure reads the page's addresses after that. The attempt waits holding the page's lease
    // (recording its failure gives it up): a duplicate event meanwhile is refused, and does not fail the
    // job before that write lands (docs/design.md#jobs).
    if (attempt >= maxPageAttempts && fence.unansweredSent)
      await new Promise((resolve) => setTimeout(resolve, attemptRequestTimeoutMs));
    await deps.jobs.recordFailure(jobId, page, message, deps.now().toISOString(), attempt);
    if (attempt < maxPageAttempts) throw error;
    deps.log.error('job failed', { jobId, page, error: message });
    await failAtPage(job, page, `page ${page} failed ${attempt} times: ${message}`, deps);
    return { outcome: 'failed', page, error: message };
  }
  if ('fail' in work) {
    await deps.jobs.fail(jobId, page, work.fail, deps.now().toISOString());
    return { outcome: 'failed', page, error: work.fail };
  }
  if (!recorded) return { outcome: 'recorded-before', page };
  return { outcome: work.last ? 'done' : 'continued', page };
}

/**
 * The page's work, or a "did not finish" failure at `deadline` (none: no limit), within the attempt's
 * lease. The attempt's writes go through a fence, closed when it ends: work still going at the deadline
 * is left behind, but takes no more rows and writes nothing more, and the attempt waits for the writes it
 * had sent to answer before it records its failure (or fails the job), so nothing it wrote lands after
 * that (see docs/design.md#jobs). Should one never answer, Lambda's timeout ends the invocation with it.
 * While the fence is open the attempt renews its lease every `attemptRenewalMs`; the fence closes itself,
 * failing the attempt, when a renewal is refused or fails, or when less than `attemptLeaseLeftMs` of the
 * lease is left, so no write of the attempt is sent once another attempt may have started.
 */
async function withinAttempt<T>(
  fence: WriteFence,
  work: () => Promise<T>,
  lease: { deadline: number | undefined; startedAt: string; renew: (at: string) => Promise<boolean> },
  now: () => Date,
): Promise<T> {
  const holdUntilLapsing = (renewedAt: string) =>
    fence.closesAt(
      Date.parse(attemptLiveUntil(renewedAt)) - attemptLeaseLeftMs,
      new Error('lease lapsing: the attempt could not renew it in time'),
    );
  holdUntilLapsing(lease.startedAt);
  let renewal: NodeJS.Timeout | undefined;
  const renewLater = () => {
    renewal = setTimeout(() => {
      void (async () => {
        if (fence.signal.aborted) return;
        const at = now().toISOString();
        let renewed: boolean;
        try {
          renewed = await lease.renew(at);
        } catch (error) {
          await fence.close(new Error(`lease not renewed: ${(error as Error).message ?? String(error)}`));
          return;
        }
        if (!renewed)
          await fence.close(new Error('lease lost: the page was recorded or another attempt started'));
        if (fence.signal.aborted) return;
        holdUntilLapsing(at);
        renewLater();
      })();
    }, attemptRenewalMs);
  };
  renewLater();
  const working = work();
  // Left behind at the deadline, the work's own failure must not surface as an unhandled rejection.
  working.catch(() => {});
  // The fence closed on its own (its lease): the attempt fails, whatever its work answers after.
  const fenced = new Promise<never>((_, reject) =>
    fence.signal.addEventListener('abort', () => reject(fence.signal.reason), { once: true }),
  );
  let timer: NodeJS.Timeout | undefined;
  const late =
    lease.deadline === undefined
      ? []
      : [
          new Promise<never>((_, reject) => {
            const allowedMs = Math.max(0, (lease.deadline as number) - now().getTime());
            timer = setTimeout(
              () => reject(new Error(`timed out: did not finish within ${Math.round(allowedMs / 1000)} s`)),
              allowedMs,
            );
          }),
        ];
  try {
    return await Promise.race([working, fenced, ...late]);
  } finally {
    clearTimeout(timer);
    clearTimeout(renewal);
    // A renewal still on its way is refused once the attempt has given its lease up (renewAttempt).
    await fence.close();
  }
}
