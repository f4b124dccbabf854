import { api, waitFor } from './cloud.ts';

/** Integration helpers for jobs (CSV import, webhook replay), against the test run's local cloud. */

export interface JobView {
  jobId: string;
  kind: 'outlet-import' | 'webhook-replay';
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: { done: number; total?: number };
  result: {
    created?: number;
    updated?: number;
    rejectedCount?: number;
    /** An import names a row by its line, a replay a record by its webhook id. */
    rejected?: { line?: number; webhookId?: string; error: string }[];
    replayed?: number;
    /** An import's rows that repeat the address of an earlier row (`earlierLine`, the row counted). */
    repeatedCount?: number;
    repeated?: { line: number; email: string; earlierLine: number }[];
    optedOutCount?: number;
    optedOut?: { line: number; email: string; optOut: string; since: string }[];
  };
  error?: string;
}

/** Polls `GET /jobs/{jobId}` until the job is done or failed. */
export const waitForJob = (jobId: string, timeoutMs = 60_000): Promise<JobView> =>
  waitFor(
    async () => {
      const job = (await (await api(`/jobs/${jobId}`)).json()) as JobView;
      return (job.status === 'done' || job.status === 'failed') && job;
    },
    { timeoutMs, intervalMs: 100, what: `job ${jobId}` },
  );

/** Starts a job with `request` (which must answer 202 {jobId}) and waits for it to finish. */
export async function runJob(request: Promise<Response>): Promise<{ status: number; job: JobView }> {
  const response = await request;
  const body = (await response.json()) as { jobId?: string };
  if (response.status !== 202 || !body.jobId)
    throw new Error(`expected 202 {jobId}, got ${response.status}: ${JSON.stringify(body)}`);
  return { status: response.status, job: await waitForJob(body.jobId) };
}

export const csvImport = (body: string, contentType = 'text/csv') =>
  api('/media-outlets/import', { method: 'POST', body, headers: { 'content-type': contentType } });

/** Imports a CSV as a job, to its end. */
export const importOutlets = async (body: string) => (await runJob(csvImport(body))).job;

/** Replays a label's webhooks received in [from, to] as a job, to its end. */
export const replayWebhooks = async (labelId: string, range: { from: string; to: string }) =>
  (await runJob(api(`/labels/${labelId}/replays`, { method: 'POST', json: range }))).job;
