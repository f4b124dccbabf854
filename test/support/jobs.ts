import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, vi } from 'vitest';
import { importPage } from '#functions/jobs/outlet-import.ts';
import type { JobsDeps } from '#functions/jobs/ports.ts';
import { type PageOutcome, runJobPage } from '#functions/jobs/run.ts';
import { type JobRoutesDeps, startJob } from '#functions/management/jobs.ts';
import { type OutletRoutesDeps, startImport } from '#functions/management/outlets.ts';
import {
  AttemptLiveError,
  attemptLiveUntil,
  type ImportNoteKind,
  type ImportNotes,
  type Job,
  type JobChunk,
  type JobRejection,
  type JobStore,
  type PageCompletion,
  rowsPerPage,
} from '#shared/db/jobs.ts';
import { type ReplayRejections, unbuildable } from '#shared/db/replay-rejections.ts';
import { WriteFence } from '#shared/db/write-fence.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import { InMemoryLabels, InMemoryWebhookRecords, silentLog } from './intake.ts';
import { InMemoryOutletDirectory } from './outlets.ts';

/**
 * An in-memory job store with the conditions of shared/db/jobs.ts (a job created once; each page
 * recorded once and in order; a finished job stays finished), so tests exercise the real invariants.
 */
export class InMemoryJobStore implements JobStore {
  readonly jobs = new Map<string, Job>();
  readonly chunks = new Map<string, JobChunk>();
  readonly pages = new Map<string, JobRejection[]>();
  /** Each import page's notes, kept as the table keeps them beside its rejected rows. */
  readonly notes = new Map<string, Partial<ImportNotes>>();
  /**
   * Each job's page lease (`attemptLiveUntil`) and its owner (`attemptOwner`), kept beside the job as the
   * table keeps them off `get`.
   */
  readonly leases = new Map<string, { until: string; owner: string }>();
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
  startAttempt = async (jobId: string, page: number, at: string, owner: string = randomUUID()) => {
    const job = this.jobs.get(jobId);
    if (!job || job.pagesDone !== page || (job.status !== 'queued' && job.status !== 'running')) return 0;
    const live = this.leases.get(jobId);
    // Each call is a start of its own (no SDK here to send one again): a live lease refuses it, whoever's.
    if (live !== undefined && live.until >= at) throw new AttemptLiveError(jobId, page, live.until);
    Object.assign(job, { status: 'running', attempts: (job.attempts ?? 0) + 1, updatedAt: at });
    this.leases.set(jobId, { until: attemptLiveUntil(at), owner });
    return job.attempts ?? 1;
  };
  renewAttempt = async (jobId: string, page: number, attempt: number, at: string) => {
    const job = this.jobs.get(jobId);
    if (job?.pagesDone !== page || job.attempts !== attempt || job.status !== 'running') return false;
    const live = this.leases.get(jobId);
    if (!live) return false;
    this.leases.set(jobId, { ...live, until: attemptLiveUntil(at) });
    return true;
  };
  completePage = async ({ jobId }: Pick<Job, 'jobId'>, page: number, completion: PageCompletion) => {
    const job = this.jobs.get(jobId);
    if (!job || job.pagesDone !== page || (job.status !== 'queued' && job.status !== 'running')) return false;
    if (completion.attempt !== undefined && job.attempts !== completion.attempt) return false;
    this.leases.delete(jobId);
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
    if (completion.notes) this.notes.set(`${jobId}/${page}`, structuredClone(completion.notes));
    if (completion.next) this.outbox.push(completion.next);
    this.outbox.push(...(completion.events ?? []));
    return true;
  };
  recordFailure = async (jobId: string, page: number, error: string, at: string, attempt?: number) => {
    const job = this.jobs.get(jobId);
    if (job?.pagesDone !== page || (attempt !== undefined && job.attempts !== attempt)) return;
    Object.assign(job, { lastError: error, updatedAt: at });
    this.leases.delete(jobId);
  };
  fail = async (jobId: string, page: number, error: string, at: string, events: OutboxEntry[] = []) => {
    const job = this.jobs.get(jobId);
    if (job?.pagesDone !== page || (job.status !== 'queued' && job.status !== 'running')) return;
    Object.assign(job, { status: 'failed', error, updatedAt: at, finishedAt: at });
    this.outbox.push(...events);
  };
  rejectedRows = async (jobId: string, limit: number) => InMemoryJobStore.listed(this.pages, jobId, limit);
  importNotes = async <K extends ImportNoteKind>(jobId: string, kind: K, limit: number) =>
    InMemoryJobStore.listed<ImportNotes[K][number]>(
      new Map([...this.notes].map(([key, notes]) => [key, notes[kind] ?? []])),
      jobId,
      limit,
    ) as ImportNotes[K];

  /** A job's lists kept by page (`<jobId>/<page>`), in page order, at most `limit`. */
  private static listed<T>(byPage: Map<string, T[]>, jobId: string, limit: number): T[] {
    return [...byPage.entries()]
      .filter(([key]) => key.startsWith(`${jobId}/`))
      .sort(([a], [b]) => Number(a.split('/')[1]) - Number(b.split('/')[1]))
      .flatMap(([, listed]) => structuredClone(listed))
      .slice(0, limit);
  }
}

/**
 * What the publisher tells a replay, kept in an in-memory job store with the adapter's conditions
 * (shared/db/replay-rejections.ts): a row per page and record (its id and format), listed after the page's
 * own and counted rejected instead of replayed, once; a job gone is told nothing.
 */
export class InMemoryReplayRejections implements ReplayRejections {
  readonly #store: InMemoryJobStore;
  constructor(store: InMemoryJobStore) {
    this.#store = store;
  }
  record: ReplayRejections['record'] = async (by, { webhookId, format }, reason) => {
    const row = `${by.jobId}/${by.page}/${format ?? 'json'} ${webhookId}`;
    const job = this.#store.jobs.get(by.jobId);
    if (!job || this.#store.pages.has(row)) return;
    this.#store.pages.set(row, [{ webhookId, error: unbuildable(reason) }]);
    job.counts.rejected = (job.counts.rejected ?? 0) + 1;
    job.counts.replayed = (job.counts.replayed ?? 0) - 1;
  };
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

/**
 * An address of 254 characters, the longest an outlet takes (`Email`), told apart by `n`: a local part of
 * 64 and a domain of 189, its labels at most 63 each.
 */
export const aLongestAddress = (n: number) =>
  `${`desk${n}`.padEnd(64, 'x')}@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(53)}.example`;

/**
 * The fullest page item an outlet import can write (docs/design.md#jobs), and more: the completion of a full
 * page (`rowsPerPage` rows) of the longest addresses, each naming an address an earlier page named (listed as
 * `repeated`) that unsubscribed and complained (two opt-outs, the most an address has, with the longest
 * names), given the rejected rows of another full page, each refused for cells of three-byte characters
 * quoted in its reason (as many as 500 rows take within a chunk's 256 KB). No page holds both (a row is
 * imported or rejected), so no page's item is larger. `job` and `page`: whose completion it is.
 */
export async function theFullestImportPage() {
  const { world, deps } = anImportWorld();
  const addresses = Array.from({ length: rowsPerPage }, (_, n) => aLongestAddress(n));
  for (const email of addresses) {
    await world.outlets.markAddressUnsubscribed(email, '2027-01-20T08:00:00.000Z', () => []);
    await world.outlets.suppress({ email, reason: 'complaint', at: '2027-01-21T09:00:00.000Z' }, []);
  }
  const rows = addresses.map((email, n) => `Desk ${n},${email},press,GB`);
  const noted = await startImport(['name,email,kind,territories', ...rows, ...rows].join('\n'), deps);
  await runJobPage({ jobId: noted.jobId, page: 0 }, world.runner);
  const cjk = (length: number) => '中'.repeat(length);
  const refused = await startImport(
    [
      'name,email,kind,territories',
      ...addresses.map((_, n) => `Desk ${n},${cjk(150)},press,${cjk(10)}`),
    ].join('\n'),
    deps,
  );
  const attempt = { number: 1, fence: new WriteFence() };
  const job = (await world.store.get(noted.jobId))!;
  const work = await importPage(job, 1, world.runner, attempt);
  const rejected = await importPage((await world.store.get(refused.jobId))!, 0, world.runner, attempt);
  if ('fail' in work || 'fail' in rejected) throw new Error('the fullest page failed');
  const completion: PageCompletion = {
    ...work,
    rejected: rejected.rejected,
    at: world.clock.now.toISOString(),
  };
  return { job, page: 1, completion, pages: { noted: work, rejected } };
}

/**
 * Lambda retries a failed invocation a minute later at the soonest: by then the lease of an attempt that
 * crashed has lapsed (docs/design.md#jobs). Moves the world's clock on by as much.
 */
export const untilLambdaRetries = (world: ReturnType<typeof jobWorld>) => {
  world.clock.now = new Date(world.clock.now.getTime() + 60_000);
};

/**
 * An attempt at an import's page that writes its rows and is killed before it records anything (out of
 * memory, a crash); the world's clock then moves on to Lambda's retry (`untilLambdaRetries`).
 */
export async function aKilledImportAttempt(world: ReturnType<typeof jobWorld>, jobId: string, page: number) {
  const number = await world.store.startAttempt(jobId, page, world.clock.now.toISOString());
  await importPage((await world.store.get(jobId))!, page, world.runner, { number, fence: new WriteFence() });
  untilLambdaRetries(world);
}

/**
 * Runs a job's page with a duplicate of its event delivered while the first run writes its rows
 * (EventBridge delivers at least once). Should the duplicate's attempt start, its work is held until
 * `duplicate()` lets it go on (a slow or frozen environment: its rows written late); a duplicate refused
 * is retried as Lambda retries it, a minute later (`untilLambdaRetries`). Answers the first run's outcome,
 * and `duplicate()`: the duplicate's (`threw: …` for one refused) and its retry's.
 */
export async function aPageRunWithADuplicate(
  world: ReturnType<typeof jobWorld>,
  jobId: string,
  page: number,
) {
  let goOn = () => {};
  const held = new Promise<void>((resolve) => {
    goOn = resolve;
  });
  const heldDeps: JobsDeps = {
    ...world.runner,
    jobs: {
      ...world.store,
      chunk: async (id, at) => {
        await held;
        return world.store.chunk(id, at);
      },
    },
  };
  const upsert = world.outlets.upsertByEmail.bind(world.outlets);
  let duplicate: Promise<PageOutcome | string> | undefined;
  world.outlets.upsertByEmail = async (...args) => {
    if (!duplicate) {
      duplicate = runJobPage({ jobId, page }, heldDeps).catch((error: Error) => `threw: ${error.message}`);
      // Until the duplicate has started its attempt (and waits to read its rows) or been refused.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return upsert(...args);
  };
  const first = await runJobPage({ jobId, page }, world.runner).finally(() => {
    world.outlets.upsertByEmail = upsert;
  });
  return {
    first,
    duplicate: async () => {
      goOn();
      const outcome = await duplicate;
      if (typeof outcome !== 'string') return { outcome };
      untilLambdaRetries(world);
      return { outcome, retried: await runJobPage({ jobId, page }, world.runner) };
    },
  };
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

/** Fake timers from 2027-02-01T10:00 for each test of the calling describe, real ones after it. */
export function onFakeTimers() {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2027-02-01T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

/**
 * An import world on the fake timers' clock (`onFakeTimers`) and an outlet import of `rows` (CSV lines
 * under the header name,email,kind,territories) started in it, after `before` (outlets already there).
 */
export async function aTimedImport(
  rows: string[],
  before?: (world: ReturnType<typeof jobWorld>) => Promise<unknown>,
) {
  const { world, deps } = anImportWorld();
  Object.defineProperty(world.clock, 'now', { get: () => new Date() });
  await before?.(world);
  const job = await startImport(['name,email,kind,territories', ...rows].join('\n'), deps);
  return { world, deps, job };
}

/** Makes the page's next attempt its last: two attempts were killed before they wrote anything (started, never recorded). */
export const twoAttemptsSpent = (world: ReturnType<typeof jobWorld>, jobId: string) =>
  Object.assign(world.store.jobs.get(jobId)!, { status: 'running', attempts: 2 });

type Upsert = InMemoryOutletDirectory['upsertByEmail'];

/**
 * A row write received by the table and not answered until its fence closes and gives it up (the SDK's
 * abortSignal); DynamoDB applies it (`upsert`, fenceless) 200 ms after the client gave it up.
 */
export const givenUpAtFenceClose =
  (upsert: Upsert): Upsert =>
  async (input, meta) =>
    meta.fence!.write(
      (abortSignal?: AbortSignal) =>
        new Promise((_, reject) =>
          abortSignal?.addEventListener('abort', () => {
            setTimeout(() => void upsert(input, { ...meta, fence: undefined }), 200);
            reject(new Error('AbortError: Request aborted'));
          }),
        ),
    );

/**
 * A row write whose three SDK tries go unanswered for 3 s each and are given up by the client itself
 * (`TimeoutError`, the fence open); the last one DynamoDB had received, and applies (`upsert`) 200 ms later.
 */
export const timedOutByTheClient =
  (upsert: Upsert): Upsert =>
  async (input, meta) =>
    meta.fence!.write(async () => {
      await new Promise((resolve) => setTimeout(resolve, 9_000));
      setTimeout(() => void upsert(input, { ...meta, fence: undefined }), 200);
      const timeout = new Error('Request did not complete within 3000 ms');
      timeout.name = 'TimeoutError';
      throw timeout;
    });

/**
 * The last attempt's scene of a row write given up while another row still reads (`onFakeTimers`): an
 * import of desk@x.example and wave@y.example whose two attempts were spent (`twoAttemptsSpent`); wave's
 * read before its write is slow (60 s: still reading when the attempt's deadline comes), and desk's write
 * is `deskWrite`, made of the directory's own write.
 */
export async function aLastAttemptWithWaveStillReading(deskWrite: (upsert: Upsert) => Upsert) {
  const { world, job } = await aTimedImport(['Desk,desk@x.example,press,GB', 'Wave,wave@y.example,radio,GB']);
  twoAttemptsSpent(world, job.jobId);
  const upsert = world.outlets.upsertByEmail.bind(world.outlets);
  const desk = deskWrite(upsert);
  world.outlets.upsertByEmail = async (input, meta) => {
    if (input.email === 'wave@y.example') {
      await new Promise((resolve) => setTimeout(resolve, 60_000));
      return upsert(input, meta);
    }
    return desk(input, meta);
  };
  return { world, job };
}

/**
 * The last attempt of `aLastAttemptWithWaveStillReading`'s scene run (invocation-3, its deadline
 * `deadlineIn` ms away on the fake clock), the clock then moved on by 20 s: its outcome, or `threw: …`.
 */
export async function runTheLastAttempt(
  world: ReturnType<typeof jobWorld>,
  jobId: string,
  deadlineIn: number,
) {
  const last = runJobPage(
    { jobId, page: 0, owner: 'invocation-3', deadline: Date.now() + deadlineIn },
    world.runner,
  ).catch((error: Error) => `threw: ${error.message}`);
  await vi.advanceTimersByTimeAsync(20_000);
  return last;
}

/** The attempt's lease renewal fails (the SDK gave up retrying it), first at 10:00:10: the fence closes. */
export const renewalThrottled = (world: ReturnType<typeof jobWorld>) => {
  world.store.renewAttempt = async () => {
    throw new Error(
      'ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput',
    );
  };
};

/** A run's answer, or what it threw as `threw: <error's name>: <message>`. */
export const answerOrThrown = (running: Promise<unknown>) =>
  running.then(
    (answer) => answer,
    (error: Error) => `threw: ${error.name}: ${error.message}`,
  );

/** Every outlet an `Outlets Changed` of the job store's outbox (pages' completions, jobs' failures) names. */
export const namedByJobs = (world: ReturnType<typeof jobWorld>) =>
  world.store.outbox
    .filter((entry) => entry.detailType === 'Outlets Changed')
    .flatMap((entry) => (entry.detail.data as { outletIds: string[] }).outletIds);

/**
 * What an import of desk@x.example left: desk's outlet, and beside it the job's status, the outlet's id
 * (created) and the outlets the job's events named (namedByJobs).
 */
export async function deskLeftBy(world: ReturnType<typeof jobWorld>, jobId: string) {
  const desk = await world.outlets.findByEmail('desk@x.example');
  const named = namedByJobs(world);
  return { desk, left: { status: world.store.jobs.get(jobId)!.status, created: desk?.id, named } };
}

/**
 * The last attempt's scene of the fence's closing (`onFakeTimers`): an import of desk@x.example whose two
 * attempts were killed before they wrote anything (started, never recorded), so the next is the third;
 * the table is slow, the row's write (the outlet's creation) received and not yet answered when the fence
 * closes, DynamoDB applying it 200 ms after the client gave it up (`givenUpAtFenceClose`); the lease's
 * renewal fails at 10:00:10 (`renewalThrottled`): the fence closes.
 */
export async function aLastAttemptWhoseFenceCloses() {
  const { world, job } = await aTimedImport(['Desk,desk@x.example,press,GB']);
  twoAttemptsSpent(world, job.jobId);
  world.outlets.upsertByEmail = givenUpAtFenceClose(world.outlets.upsertByEmail.bind(world.outlets));
  renewalThrottled(world);
  return { world, job };
}

/**
 * `table` listening on a free local port as the DynamoDB the shared clients reach (its endpoint and test
 * credentials stubbed into the environment; vi.unstubAllEnvs puts them back).
 */
export async function dynamoServedBy(table: Server) {
  await new Promise<void>((resolve) => table.listen(0, '127.0.0.1', resolve));
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', `http://127.0.0.1:${(table.address() as AddressInfo).port}`);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
}
