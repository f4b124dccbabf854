import type { JobsDeps } from '#functions/jobs/ports.ts';
import { runJobPage } from '#functions/jobs/run.ts';
import { type JobRoutesDeps, startJob } from '#functions/management/jobs.ts';
import type { OutletRoutesDeps } from '#functions/management/outlets.ts';
import type { Job, JobChunk, JobStore, PageCompletion } from '#shared/db/jobs.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import type { CsvRejection } from '#shared/outlet-csv.ts';
import { InMemoryLabels, InMemoryWebhookRecords, silentLog } from './intake.ts';
import { InMemoryOutletDirectory } from './outlets.ts';

/**
 * An in-memory job store with the conditions of shared/db/jobs.ts (a job created once; each page
 * recorded once and in order; a finished job stays finished), so tests exercise the real invariants.
 */
export class InMemoryJobStore implements JobStore {
  readonly jobs = new Map<string, Job>();
  readonly chunks = new Map<string, JobChunk>();
  readonly pages = new Map<string, CsvRejection[]>();
  /** The events this store's writes put in the outbox, in order. */
  readonly outbox: OutboxEntry[] = [];

  create = async (job: Job, chunks: JobChunk[], requested: OutboxEntry) => {
    if (this.jobs.has(job.jobId)) throw new Error('ConditionalCheckFailedException');
    for (const [page, chunk] of chunks.entries())
      this.chunks.set(`${job.jobId}/${page}`, structuredClone(chunk));
    this.jobs.set(job.jobId, structuredClone(job));
    this.outbox.push(requested);
  };
  get = async (jobId: string) => {
    const job = this.jobs.get(jobId);
    return job ? structuredClone(job) : undefined;
  };
  chunk = async (jobId: string, page: number) => structuredClone(this.chunks.get(`${jobId}/${page}`));
  startAttempt = async (jobId: string, page: number, at: string) => {
    const job = this.jobs.get(jobId);
    if (!job || job.pagesDone !== page || (job.status !== 'queued' && job.status !== 'running')) return 0;
    Object.assign(job, { status: 'running', attempts: (job.attempts ?? 0) + 1, updatedAt: at });
    return job.attempts ?? 1;
  };
  completePage = async ({ jobId }: Pick<Job, 'jobId'>, page: number, completion: PageCompletion) => {
    const job = this.jobs.get(jobId);
    if (!job || job.pagesDone !== page || (job.status !== 'queued' && job.status !== 'running')) return false;
    job.pagesDone = page + 1;
    job.done += completion.rows;
    for (const [name, count] of Object.entries(completion.counts))
      job.counts[name] = (job.counts[name] ?? 0) + count;
    job.status = completion.last ? 'done' : 'running';
    job.updatedAt = completion.at;
    job.attempts = 0;
    if (completion.last) Object.assign(job, { finishedAt: completion.at, total: job.done });
    if (completion.cursor) job.cursor = completion.cursor;
    else delete job.cursor;
    if (completion.rejected.length > 0)
      this.pages.set(`${jobId}/${page}`, structuredClone(completion.rejected));
    if (completion.next) this.outbox.push(completion.next);
    this.outbox.push(...(completion.events ?? []));
    return true;
  };
  recordFailure = async (jobId: string, page: number, error: string, at: string) => {
    const job = this.jobs.get(jobId);
    if (job?.pagesDone === page) Object.assign(job, { lastError: error, updatedAt: at });
  };
  fail = async (jobId: string, error: string, at: string, events: OutboxEntry[] = []) => {
    const job = this.jobs.get(jobId);
    if (job?.status !== 'queued' && job?.status !== 'running') return;
    Object.assign(job, { status: 'failed', error, updatedAt: at, finishedAt: at });
    this.outbox.push(...events);
  };
  rejectedRows = async (jobId: string, limit: number) =>
    [...this.pages.entries()]
      .filter(([key]) => key.startsWith(`${jobId}/`))
      .sort(([a], [b]) => Number(a.split('/')[1]) - Number(b.split('/')[1]))
      .flatMap(([, rejected]) => rejected)
      .slice(0, limit);
}

/** The management side and the jobs function over one store; `drain` plays the publisher's and the bus's part. */
export function jobWorld(options: { outlets?: InMemoryOutletDirectory; labels?: InMemoryLabels } = {}) {
  const store = new InMemoryJobStore();
  const outlets = options.outlets ?? new InMemoryOutletDirectory();
  const labels = options.labels ?? new InMemoryLabels();
  const webhooks = new InMemoryWebhookRecords();
  const clock = { now: new Date('2027-02-01T10:00:00Z') };
  let jobs = 0;
  const routes: JobRoutesDeps = {
    jobs: store,
    now: () => clock.now,
    newJobId: () => `job-00000000-0000-4000-8000-${String(++jobs).padStart(12, '0')}`,
  };
  const runner: JobsDeps = {
    jobs: store,
    outlets,
    webhooks,
    now: () => clock.now,
    log: silentLog,
  };
  let delivered = 0;
  /** Delivers every job event put in the outbox so far (and those they lead to) to the jobs function. */
  const drain = async () => {
    while (delivered < store.outbox.length) {
      const entry = store.outbox[delivered++];
      if (entry.detailType !== 'Job Requested' && entry.detailType !== 'Job Page Due') continue;
      const data = entry.detail.data as { jobId: string; page?: number };
      await runJobPage({ jobId: data.jobId, page: data.page ?? 0 }, runner);
    }
  };
  return { store, outlets, labels, webhooks, routes, runner, drain, clock };
}

/** A world with a replay of nightshift-records' webhooks of 1 to 4 January 2027 started (its first page due). */
export async function aStartedReplay() {
  const world = jobWorld();
  const job = await startJob(
    {
      kind: 'webhook-replay',
      labelId: 'nightshift-records',
      from: '2027-01-01T00:00:00.000Z',
      to: '2027-01-04T00:00:00.000Z',
    },
    [],
    {},
    world.routes,
  );
  return { world, job };
}

/** A job world and the outlet routes' dependencies over it, for an outlet import; a new outlet gets `newOutletId`. */
export function anImportWorld(newOutletId = 'out-api') {
  const world = jobWorld();
  const deps: OutletRoutesDeps = {
    outlets: world.outlets,
    jobs: world.routes,
    now: () => world.clock.now,
    newOutletId: () => newOutletId,
  };
  return { world, deps };
}

/** Runs one attempt of a job's page whose recording fails after it wrote its rows (a write that kept meeting conflicts); its outcome, or `threw: …`. */
export async function anUnrecordedAttempt(world: ReturnType<typeof jobWorld>, jobId: string, page: number) {
  const complete = world.store.completePage;
  world.store.completePage = async () => {
    world.store.completePage = complete;
    throw new Error('TransactionCanceledException: TransactionConflict');
  };
  return runJobPage({ jobId, page }, world.runner).catch((error: Error) => `threw: ${error.message}`);
}

/** Every outlet an `Outlets Changed` names, from the job store's outbox and the outlets'. */
export const namedOutlets = (world: ReturnType<typeof jobWorld>) =>
  [...world.store.outbox, ...world.outlets.outbox.entries]
    .filter((e) => e.detailType === 'Outlets Changed')
    .flatMap((e) => (e.detail.data as { outletIds: string[] }).outletIds);
