import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AttemptLiveError,
  attemptLeaseMs,
  type Job,
  type JobChunk,
  type JobStore,
  type PageCompletion,
} from '#shared/db/jobs.ts';
import { JobPageDue } from '#shared/events/job-page-due.ts';
import { JobRequested } from '#shared/events/job-requested.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import { OutletsChanged } from '#shared/events/outlets-changed.ts';

/**
 * What every JobStore does (docs/design.md#jobs: a job created once, with its input; each page
 * recorded once and in order; a finished job stays finished), on the fake and on DynamoDB Local
 * (see outlet-directory.contract.ts). `outboxHolds` tells whether the store's write put an outbox
 * entry (by event id) in the outbox.
 */
export function describeJobsContract<S extends JobStore>(
  name: string,
  makeStore: () => S,
  outboxHolds: (store: S, eventId: string) => Promise<boolean>,
) {
  const at = (minute: number) =>
    new Date(Date.parse('2027-02-01T10:00:00.000Z') + minute * 60_000).toISOString();
  const aJob = (overrides: Partial<Job> = {}): Job => ({
    jobId: `job-${randomUUID()}`,
    kind: 'outlet-import',
    status: 'queued',
    input: { kind: 'outlet-import', columns: ['name', 'email'] },
    pagesDone: 0,
    pages: 2,
    done: 0,
    counts: {},
    correlationId: 'corr',
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  });
  const aChunk = (firstLine: number, overrides: Partial<JobChunk> = {}): JobChunk => ({
    firstLine,
    text: `Radio ${firstLine},radio${firstLine}@contract.example\n`,
    rows: 1,
    rejected: [],
    ...overrides,
  });
  /** A webhook replay: work paged by a cursor, its number of pages unknown. */
  const aReplay = (overrides: Partial<Job> = {}): Job => {
    const { pages: _unknown, ...job } = aJob({
      kind: 'webhook-replay',
      input: { kind: 'webhook-replay', labelId: 'lbl-contract', from: at(-600), to: at(0) },
      ...overrides,
    });
    return job;
  };
  const requestedFor = (job: Job) => outboxEntry(JobRequested, { jobId: job.jobId, kind: job.kind });
  /** The Job Page Due a completed page puts in the outbox. */
  const pageDue = (job: Job, page: number) =>
    outboxEntry(JobPageDue, { jobId: job.jobId, kind: job.kind, page });
  /** A page's completion. */
  const aCompletion = (overrides: Partial<PageCompletion> = {}): PageCompletion => ({
    rows: 1,
    counts: { created: 1 },
    rejected: [],
    last: false,
    at: at(1),
    ...overrides,
  });
  /** Creates `job` (with no input) in `store`. */
  const created = async (store: JobStore, job: Job) => {
    await store.create(job, [], requestedFor(job));
    return job;
  };

  describe(`JobStore contract: ${name}`, () => {
    it('creates a job with its input and its Job Requested, and finds nothing under another id', async () => {
      const store = makeStore();
      const job = aJob();
      const chunks = [
        aChunk(2, { rejected: [{ line: 3, error: 'email: missing' }] }),
        aChunk(4, { repeated: [{ line: 4, earlierLine: 2 }] }),
      ];
      const requested = requestedFor(job);

      await store.create(job, chunks, requested);

      expect(await store.get(job.jobId)).toEqual(job);
      expect(await store.chunk(job.jobId, 0)).toEqual(chunks[0]);
      expect(await store.chunk(job.jobId, 1)).toEqual(chunks[1]);
      expect(await store.chunk(job.jobId, 2)).toBeUndefined();
      expect(await outboxHolds(store, requested.eventId)).toBe(true);
      expect(await store.get(`job-${randomUUID()}`)).toBeUndefined();
    });

    it('creates a job once: a second create under its id is refused, leaving the job and its input as they were and writing no event', async () => {
      const store = makeStore();
      const job = aJob();
      const chunks = [aChunk(2), aChunk(4)];
      await store.create(job, chunks, requestedFor(job));
      const again = requestedFor(job);

      await expect(
        store.create(
          { ...job, createdAt: at(5), updatedAt: at(5) },
          [aChunk(2, { text: 'Other,other@contract.example\n' })],
          again,
        ),
      ).rejects.toThrow();

      expect(await store.get(job.jobId)).toEqual(job);
      expect(await store.chunk(job.jobId, 0)).toEqual(chunks[0]);
      expect(await store.chunk(job.jobId, 1)).toEqual(chunks[1]);
      expect(await outboxHolds(store, again.eventId)).toBe(false);
    });

    it('starts attempts at the job’s next page only, counting each and marking a queued job running', async () => {
      const store = makeStore();
      const job = await created(store, aJob());
      const done = await created(store, aJob({ status: 'done', pagesDone: 2, finishedAt: at(0) }));
      const failed = await created(store, aJob({ status: 'failed', error: 'gave up', finishedAt: at(0) }));
      const unknown = `job-${randomUUID()}`;

      const attempts = [
        await store.startAttempt(job.jobId, 0, at(1)),
        await store.startAttempt(job.jobId, 0, at(2)),
        await store.startAttempt(job.jobId, 1, at(3)),
        await store.startAttempt(done.jobId, 2, at(1)),
        await store.startAttempt(failed.jobId, 0, at(1)),
        await store.startAttempt(unknown, 0, at(1)),
      ];

      expect(attempts).toEqual([1, 2, 0, 0, 0, 0]);
      expect(await store.get(job.jobId)).toEqual({
        ...job,
        status: 'running',
        attempts: 2,
        updatedAt: at(2),
      });
      expect(await store.get(done.jobId)).toEqual(done);
      expect(await store.get(failed.jobId)).toEqual(failed);
      expect(await store.get(unknown)).toBeUndefined();
    });

    it('refuses a second attempt at a page while the first holds its lease, counting nothing, and starts it once the lease has lapsed', async () => {
      const store = makeStore();
      const job = await created(store, aJob());
      const leaseFrom = (start: string, ms: number) => new Date(Date.parse(start) + ms).toISOString();

      const first = await store.startAttempt(job.jobId, 0, at(1));
      const whileLive = await store
        .startAttempt(job.jobId, 0, leaseFrom(at(1), attemptLeaseMs - 1_000))
        .catch((error: Error) => error);
      const counted = await store.get(job.jobId);
      const lapsed = await store.startAttempt(job.jobId, 0, leaseFrom(at(1), attemptLeaseMs + 1_000));

      expect(first).toBe(1);
      expect(whileLive).toBeInstanceOf(AttemptLiveError);
      expect(counted).toMatchObject({ attempts: 1, updatedAt: at(1) });
      expect(lapsed).toBe(2);
    });

    it('refuses a start of its own to the owner of a live lease, at the very instant of its start too', async () => {
      const store = makeStore();
      const job = await created(store, aJob());
      const seconds = (s: number) => new Date(Date.parse(at(1)) + s * 1_000).toISOString();

      const first = await store.startAttempt(job.jobId, 0, seconds(0), 'request-1');
      // A second delivery of the same invocation starting in the same millisecond: a start of its own, not
      // the first sent again by the SDK (that one, its answer lost, is test/unit/db/jobs.test.ts's).
      const sameInstant = await store
        .startAttempt(job.jobId, 0, seconds(0), 'request-1')
        .catch((error: Error) => error);
      const byAnother = await store
        .startAttempt(job.jobId, 0, seconds(1), 'request-2')
        .catch((error: Error) => error);
      // A second delivery of the same invocation (the same request id) while the first runs.
      const duplicate = await store
        .startAttempt(job.jobId, 0, seconds(2), 'request-1')
        .catch((error: Error) => error);
      const renewedByTheFirst = await store.renewAttempt(job.jobId, 0, 1, seconds(3));

      expect([
        first,
        sameInstant instanceof AttemptLiveError,
        byAnother instanceof AttemptLiveError,
        duplicate instanceof AttemptLiveError,
      ]).toEqual([1, true, true, true]);
      expect(renewedByTheFirst).toBe(true);
      expect(await store.get(job.jobId)).toMatchObject({ attempts: 1 });
    });

    it('renews the lease of the page’s latest attempt only, which its failure gives up and only it may record the page with', async () => {
      const store = makeStore();
      const job = await created(store, aJob());
      const seconds = (s: number) => new Date(Date.parse(at(1)) + s * 1_000).toISOString();
      const lease = attemptLeaseMs / 1_000;
      await store.startAttempt(job.jobId, 0, seconds(0));

      const renewed = await store.renewAttempt(job.jobId, 0, 1, seconds(lease - 5));
      const refusedWhileRenewed = await store
        .startAttempt(job.jobId, 0, seconds(lease + 5))
        .catch((error: Error) => error);
      await store.recordFailure(job.jobId, 0, 'timed out', seconds(lease + 6), 1);
      const second = await store.startAttempt(job.jobId, 0, seconds(lease + 7));
      const renewedByTheFirst = await store.renewAttempt(job.jobId, 0, 1, seconds(lease + 8));
      await store.recordFailure(job.jobId, 0, 'the first, late', seconds(lease + 9), 1);
      const recordedByTheFirst = await store.completePage(job, 0, aCompletion({ attempt: 1 }));
      const recordedBySecond = await store.completePage(job, 0, aCompletion({ attempt: 2 }));
      const renewedAfter = await store.renewAttempt(job.jobId, 0, 2, seconds(lease + 10));
      const next = await store.startAttempt(job.jobId, 1, seconds(lease + 11));

      expect([renewed, refusedWhileRenewed instanceof AttemptLiveError, second]).toEqual([true, true, 2]);
      expect([renewedByTheFirst, recordedByTheFirst, recordedBySecond, renewedAfter]).toEqual([
        false,
        false,
        true,
        false,
      ]);
      expect(next).toBe(1);
      expect(await store.get(job.jobId)).toMatchObject({ pagesDone: 1, attempts: 1, lastError: 'timed out' });
    });

    it('records a page that counts nothing (a replay page of events all filtered out)', async () => {
      const store = makeStore();
      const job = await created(store, aReplay({ status: 'running', counts: { replayed: 1 } }));

      const recorded = await store.completePage(job, 0, aCompletion({ rows: 0, counts: {} }));

      expect(recorded).toBe(true);
      expect(await store.get(job.jobId)).toMatchObject({ pagesDone: 1, counts: { replayed: 1 } });
    });

    it('records a page with its rows, counts, cursor and the next page’s event', async () => {
      const store = makeStore();
      const job = await created(store, aReplay({ status: 'running', counts: { replayed: 1 } }));
      const next = pageDue(job, 1);

      const recorded = await store.completePage(
        job,
        0,
        aCompletion({ rows: 3, counts: { replayed: 2, failed: 1 }, cursor: 'cursor-1', next }),
      );

      expect(recorded).toBe(true);
      expect(await store.get(job.jobId)).toEqual({
        ...job,
        pagesDone: 1,
        done: 3,
        counts: { replayed: 3, failed: 1 },
        cursor: 'cursor-1',
        attempts: 0,
        updatedAt: at(1),
      });
      expect(await outboxHolds(store, next.eventId)).toBe(true);
    });

    it('records each page once and in order: a page recorded before or one ahead is refused and writes no event', async () => {
      const store = makeStore();
      const job = await created(store, aJob({ status: 'running' }));
      await store.completePage(
        job,
        0,
        aCompletion({ rows: 2, counts: { created: 2 }, next: pageDue(job, 1) }),
      );
      const recorded = await store.get(job.jobId);
      const rerun = pageDue(job, 1);
      const ahead = pageDue(job, 3);

      expect(
        await store.completePage(
          job,
          0,
          aCompletion({ rows: 2, counts: { created: 2 }, rejected: [{ line: 2, error: 'x' }], next: rerun }),
        ),
      ).toBe(false);
      expect(await store.completePage(job, 2, aCompletion({ next: ahead, at: at(2) }))).toBe(false);

      expect(await store.get(job.jobId)).toEqual(recorded);
      expect(await store.rejectedRows(job.jobId, 10)).toEqual([]);
      expect(await outboxHolds(store, rerun.eventId)).toBe(false);
      expect(await outboxHolds(store, ahead.eventId)).toBe(false);
    });

    it('finishes the job with its last page: done, its total the rows of every page, its cursor gone', async () => {
      const store = makeStore();
      const job = await created(store, aReplay());
      await store.completePage(job, 0, aCompletion({ rows: 500, counts: { replayed: 500 }, cursor: 'c-1' }));

      expect(
        await store.completePage(
          job,
          1,
          aCompletion({ rows: 20, counts: { replayed: 20 }, last: true, at: at(2) }),
        ),
      ).toBe(true);

      expect(await store.get(job.jobId)).toEqual({
        ...job,
        status: 'done',
        pagesDone: 2,
        done: 520,
        total: 520,
        counts: { replayed: 520 },
        attempts: 0,
        updatedAt: at(2),
        finishedAt: at(2),
      });
      expect(await store.completePage(job, 2, aCompletion({ at: at(3) }))).toBe(false);
    });

    it('fails a job with its events in the same write, and writes neither for a job finished already', async () => {
      const store = makeStore();
      const job = await created(store, aJob({ status: 'running' }));
      const named = outboxEntry(OutletsChanged, { outletIds: [`out-${randomUUID()}`] });
      const again = outboxEntry(OutletsChanged, { outletIds: [`out-${randomUUID()}`] });

      await store.fail(job.jobId, 0, 'page 0 failed 3 times', at(1), [named]);
      const failed = await store.get(job.jobId);
      await store.fail(job.jobId, 0, 'once more', at(2), [again]);

      expect(failed).toMatchObject({ status: 'failed', error: 'page 0 failed 3 times', finishedAt: at(1) });
      expect(await store.get(job.jobId)).toEqual(failed);
      expect(await outboxHolds(store, named.eventId)).toBe(true);
      expect(await outboxHolds(store, again.eventId)).toBe(false);
    });

    it('does not fail a job at a page recorded meanwhile, nor write its events', async () => {
      const store = makeStore();
      const job = await created(store, aJob({ status: 'running' }));
      const named = outboxEntry(OutletsChanged, { outletIds: [`out-${randomUUID()}`] });
      await store.startAttempt(job.jobId, 0, at(1));
      expect(await store.completePage(job, 0, aCompletion({ attempt: 1, at: at(2) }))).toBe(true);
      const recorded = await store.get(job.jobId);

      await store.fail(job.jobId, 0, 'page 0 failed 3 times', at(3), [named]);

      expect(recorded).toMatchObject({ status: 'running', pagesDone: 1 });
      expect(await store.get(job.jobId)).toEqual(recorded);
      expect(await outboxHolds(store, named.eventId)).toBe(false);
    });

    it('records no page of a failed or unknown job', async () => {
      const store = makeStore();
      const job = await created(store, aJob());
      await store.fail(job.jobId, 0, 'input unreadable', at(1));
      const failed = await store.get(job.jobId);
      const unknown = aJob();

      expect(await store.completePage(job, 0, aCompletion({ at: at(2) }))).toBe(false);
      expect(await store.completePage(unknown, 0, aCompletion({ at: at(2) }))).toBe(false);

      expect(await store.get(job.jobId)).toEqual(failed);
      expect(await store.get(unknown.jobId)).toBeUndefined();
    });

    it('counts attempts at the current page afresh once the page is recorded, and records an attempt’s error at the current page only', async () => {
      const store = makeStore();
      const job = await created(store, aJob({ status: 'running' }));
      const unknown = `job-${randomUUID()}`;

      await store.startAttempt(job.jobId, 0, at(1));
      await store.recordFailure(job.jobId, 0, 'throttled', at(1));
      await store.startAttempt(job.jobId, 0, at(2));
      await store.recordFailure(job.jobId, 0, 'timed out', at(2));
      await store.recordFailure(job.jobId, 1, 'a page ahead', at(3));
      await store.recordFailure(unknown, 0, 'nothing', at(3));

      expect(await store.get(job.jobId)).toEqual({
        ...job,
        attempts: 2,
        lastError: 'timed out',
        updatedAt: at(2),
      });
      expect(await store.get(unknown)).toBeUndefined();
      await store.completePage(job, 0, aCompletion({ at: at(4) }));
      expect(await store.get(job.jobId)).toMatchObject({ attempts: 0, lastError: 'timed out' });
      expect(await store.startAttempt(job.jobId, 1, at(5))).toBe(1);
    });

    it('fails a queued or running job once: a finished job stays as it finished', async () => {
      const store = makeStore();
      const queued = await created(store, aJob());
      const running = await created(store, aJob({ status: 'running' }));
      const done = await created(store, aJob({ status: 'done', pagesDone: 2, finishedAt: at(0) }));
      const unknown = `job-${randomUUID()}`;

      await store.fail(queued.jobId, 0, 'input unreadable', at(1));
      await store.fail(running.jobId, 0, 'too many failures', at(1));
      await store.fail(queued.jobId, 0, 'again', at(2));
      await store.fail(done.jobId, 2, 'too late', at(2));
      await store.fail(unknown, 0, 'nothing', at(2));

      const failed = (job: Job, error: string) => ({
        ...job,
        status: 'failed',
        error,
        updatedAt: at(1),
        finishedAt: at(1),
      });
      expect(await store.get(queued.jobId)).toEqual(failed(queued, 'input unreadable'));
      expect(await store.get(running.jobId)).toEqual(failed(running, 'too many failures'));
      expect(await store.get(done.jobId)).toEqual(done);
      expect(await store.get(unknown)).toBeUndefined();
    });

    it('lists the rejected rows in page order, at most `limit`, and only the job’s own', async () => {
      const store = makeStore();
      const job = await created(store, aJob({ pages: 12 }));
      const other = await created(store, aJob());
      await store.completePage(other, 0, aCompletion({ rejected: [{ line: 1, error: 'other job' }] }));
      const rejectedOn = (page: number) =>
        page % 3 === 1
          ? []
          : [
              { line: page * 10, error: `page ${page}` },
              { line: page * 10 + 1, error: 'again' },
            ];
      for (let page = 0; page < 12; page++)
        expect(await store.completePage(job, page, aCompletion({ rejected: rejectedOn(page) }))).toBe(true);

      const all = Array.from({ length: 12 }, (_, page) => rejectedOn(page)).flat();
      expect(await store.rejectedRows(job.jobId, 100)).toEqual(all);
      expect(await store.rejectedRows(job.jobId, 5)).toEqual(all.slice(0, 5));
      expect(await store.rejectedRows(`job-${randomUUID()}`, 10)).toEqual([]);
    });

    it('lists an import’s notes (rows it took to tell of) by kind in page order, at most `limit`, apart from the rejected rows', async () => {
      const store = makeStore();
      const job = await created(store, aJob({ pages: 3 }));
      const other = await created(store, aJob());
      const optedOut = (line: number) => ({
        line,
        email: `o${line}@contract.example`,
        optOut: 'unsubscribed' as const,
        since: at(-60),
      });
      const repeated = { line: 21, email: 'o2@contract.example', earlierLine: 2 };
      await store.completePage(other, 0, aCompletion({ notes: { optedOut: [optedOut(1)] } }));

      await store.completePage(job, 0, aCompletion({ notes: { optedOut: [optedOut(2), optedOut(3)] } }));
      await store.completePage(job, 1, aCompletion({ rejected: [{ line: 11, error: 'bad' }] }));
      await store.completePage(
        job,
        2,
        aCompletion({
          rejected: [{ line: 20, error: 'worse' }],
          notes: { optedOut: [optedOut(22)], repeated: [repeated] },
          last: true,
        }),
      );

      expect(await store.importNotes(job.jobId, 'optedOut', 10)).toEqual([
        optedOut(2),
        optedOut(3),
        optedOut(22),
      ]);
      expect(await store.importNotes(job.jobId, 'optedOut', 2)).toEqual([optedOut(2), optedOut(3)]);
      expect(await store.importNotes(job.jobId, 'repeated', 10)).toEqual([repeated]);
      expect(await store.rejectedRows(job.jobId, 10)).toEqual([
        { line: 11, error: 'bad' },
        { line: 20, error: 'worse' },
      ]);
      expect(await store.importNotes(`job-${randomUUID()}`, 'repeated', 10)).toEqual([]);
    });
  });
}
