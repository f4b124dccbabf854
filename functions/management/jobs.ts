import { randomUUID } from 'node:crypto';
import { jobExpiresAt } from '#shared/db/job-keys.ts';
import {
  type Job,
  type JobChunk,
  type JobInput,
  type JobStore,
  jobIdPattern,
  maxNotedRowsPerPage,
  rowsPerPage,
} from '#shared/db/jobs.ts';
import { expired } from '#shared/db/table.ts';
import { JobRequested } from '#shared/events/job-requested.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import { failure, type HttpEvent, type HttpResult, json, notFound } from '#shared/http/index.ts';
import type { ManagementRoute } from '#shared/http/manager-api.ts';
import * as z from '#shared/zod.ts';

/** Long work as jobs: started by the routes that need one, watched at `GET /jobs/{jobId}` (see docs/design.md#jobs). */

export interface JobRoutesDeps {
  jobs: Pick<JobStore, 'create' | 'get' | 'rejectedRows' | 'importNotes'>;
  now: () => Date;
  newJobId?: () => string;
}

/** Rejected rows (a replay's records) listed by `GET /jobs/{jobId}` (all are counted): the answer stays far below Lambda's 6 MB. */
export const maxRejectedListed = 1_000;

/** How many of an import's notes are listed: a page's item holds those of its first rows (docs/design.md#jobs). */
const notesListed = `of each page of ${rowsPerPage} rows, the first ${maxNotedRowsPerPage} rows noted are listed, and at most ${maxRejectedListed} entries in all: the list may be shorter than its count, which counts every row`;

const initialCounts: Record<JobInput['kind'], Record<string, number>> = {
  'outlet-import': { created: 0, updated: 0, unchanged: 0, rejected: 0 },
  'webhook-replay': { replayed: 0, rejected: 0 },
};

/**
 * Stores the job and its input, with its `Job Requested` in the outbox in the same write, so the
 * jobs function is certain to be asked to run it (see docs/design.md#jobs). Answers the job; the
 * caller answers 202 with its id at once.
 */
export async function startJob(
  input: JobInput,
  chunks: JobChunk[],
  shape: { pages?: number; total?: number },
  deps: JobRoutesDeps,
): Promise<Job> {
  const now = deps.now().toISOString();
  const jobId = (deps.newJobId ?? (() => `job-${randomUUID()}`))();
  const job: Job = {
    jobId,
    kind: input.kind,
    status: 'queued',
    input,
    pagesDone: 0,
    ...(shape.pages !== undefined ? { pages: shape.pages } : {}),
    done: 0,
    ...(shape.total !== undefined ? { total: shape.total } : {}),
    counts: { ...initialCounts[input.kind] },
    correlationId: jobId,
    createdAt: now,
    updatedAt: now,
  };
  await deps.jobs.create(
    job,
    chunks,
    outboxEntry(JobRequested, { jobId, kind: job.kind }, { correlationId: jobId, occurredAt: now }),
  );
  return job;
}

export const accepted = (job: Job): HttpResult =>
  json(202, { jobId: job.jobId, status: job.status }, { location: `/jobs/${job.jobId}` });

const JobView = z.lazy(() =>
  z.object({
    jobId: z.string(),
    kind: z.enum(['outlet-import', 'webhook-replay']),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    progress: z.object({ done: z.int(), total: z.optional(z.int()) }),
    result: z.union([
      z.object({
        created: z.int(),
        updated: z.int(),
        unchanged: z
          .int()
          .check(
            z.describe(
              'rows that described their outlet as it already was: nothing was written (importing a file again counts its rows here)',
            ),
          ),
        rejectedCount: z.int(),
        rejected: z
          .array(z.object({ line: z.int(), error: z.string() }))
          .check(z.describe(`at most ${maxRejectedListed} listed; all are counted`)),
        repeatedCount: z
          .int()
          .check(
            z.describe(
              'rows naming an address an earlier row of the file named, not counted as created or updated: an outlet is counted once, by the first row naming its address',
            ),
          ),
        repeated: z
          .array(z.object({ line: z.int(), email: z.string(), earlierLine: z.int() }))
          .check(
            z.describe(
              `each row naming the address an earlier row of the file named (earlierLine, the first): the file is read top to bottom, so the last row naming an address is what its outlet holds; ${notesListed}`,
            ),
          ),
        optedOutCount: z.int().check(z.describe('rows imported whose address gets no mail')),
        optedOut: z
          .array(
            z.object({
              line: z.int(),
              email: z.string(),
              optOut: z.enum(['unsubscribed', 'bounced', 'complained']),
              since: z.string(),
            }),
          )
          .check(
            z.describe(
              `the rows imported whose address unsubscribed, bounced or complained (since when): the opt-out is kept, whatever the row says, so the outlet is mailed nothing; a row's address with two opt-outs is listed twice; ${notesListed}`,
            ),
          ),
      }),
      z.object({
        replayed: z.int(),
        rejectedCount: z.int(),
        rejected: z
          .array(z.object({ webhookId: z.string(), error: z.string() }))
          .check(
            z.describe(
              `the records not republished, and why (an event that can no longer be built); at most ${maxRejectedListed} listed, all are counted`,
            ),
          ),
      }),
    ]),
    error: z.optional(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.optional(z.string()),
  }),
);

/**
 * `GET /jobs/{jobId}`: status, progress and the result so far. A job past its 30 days is not found,
 * though DynamoDB may not have deleted it yet (docs/design.md#dynamodb-locally).
 */
export async function describeJob(jobId: string | undefined, deps: JobRoutesDeps) {
  const job = jobId && jobIdPattern.test(jobId) ? await deps.jobs.get(jobId) : undefined;
  if (!job || expired(jobExpiresAt(job.createdAt), deps.now())) throw notFound('job');
  const progress = { done: job.done, ...(job.total !== undefined ? { total: job.total } : {}) };
  const rejected = {
    rejectedCount: job.counts.rejected ?? 0,
    rejected: job.counts.rejected ? await deps.jobs.rejectedRows(job.jobId, maxRejectedListed) : [],
  };
  const result =
    job.kind === 'outlet-import'
      ? {
          created: job.counts.created ?? 0,
          updated: job.counts.updated ?? 0,
          unchanged: job.counts.unchanged ?? 0,
          ...rejected,
          repeatedCount: job.counts.repeated ?? 0,
          repeated: job.counts.repeated
            ? await deps.jobs.importNotes(job.jobId, 'repeated', maxRejectedListed)
            : [],
          optedOutCount: job.counts.optedOut ?? 0,
          optedOut: job.counts.optedOut
            ? await deps.jobs.importNotes(job.jobId, 'optedOut', maxRejectedListed)
            : [],
        }
      : // The publisher may count a record it cannot republish before the page that put it back is recorded.
        { replayed: Math.max(0, job.counts.replayed ?? 0), ...rejected };
  return {
    jobId: job.jobId,
    kind: job.kind,
    status: job.status,
    progress,
    result,
    ...(job.error ? { error: job.error } : {}),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
  };
}

export const jobRoutes = (deps: JobRoutesDeps): ManagementRoute[] => [
  {
    method: 'GET',
    path: '/jobs/{jobId}',
    handler: async (event: HttpEvent): Promise<HttpResult> =>
      json(200, await describeJob(event.pathParameters?.jobId, deps)),
    doc: {
      summary: "A job's status, progress and result so far",
      responses: { 200: { description: 'the job', schema: JobView }, 404: failure('no such job') },
    },
  },
];
