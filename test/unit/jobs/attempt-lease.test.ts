import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { replaceOutlet, startImport } from '#functions/management/outlets.ts';
import { attemptLeaseMs } from '#shared/db/jobs.ts';
import { anImportWorld, answerOrThrown } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

/**
 * docs/design.md#jobs: one attempt at a page runs at a time, holding the page's lease, which it renews
 * while its write fence is open; the fence closes itself, failing the attempt, when a renewal is refused
 * or fails, or when the lease is about to lapse, so no row of the attempt is written once another
 * attempt may have started.
 */

/** An import of three lines for one address, each row's write taking 15 s: 45 s of work, longer than a lease. */
async function aSlowImport() {
  const { world, deps } = anImportWorld();
  // The world's clock is the (faked) system clock, which the lease's timers run on.
  Object.defineProperty(world.clock, 'now', { get: () => new Date() });
  const upsert = world.outlets.upsertByEmail.bind(world.outlets);
  /** When each row's write was made (epoch ms). */
  const writes: number[] = [];
  world.outlets.upsertByEmail = async (...args) => {
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    writes.push(Date.now());
    return upsert(...args);
  };
  const job = await startImport(
    [
      'name,email,kind,territories',
      'Line 2,desk@x.example,press,GB',
      'Line 3,desk@x.example,press,FR',
      'Line 4,desk@x.example,press,DE',
    ].join('\n'),
    deps,
  );
  const renewals: string[] = [];
  const renew = world.store.renewAttempt;
  world.store.renewAttempt = async (...args) => {
    renewals.push(args[3]);
    return renew(...args);
  };
  /** Runs the page's first attempt for 60 s: its outcome, or `threw: …`. */
  const run = async () => {
    const running = runJobPage({ jobId: job.jobId, page: 0 }, world.runner).catch(
      (error: Error) => `threw: ${error.message}`,
    );
    await vi.advanceTimersByTimeAsync(60_000);
    return running;
  };
  return { world, job, renewals, writes, run };
}

describe("an import page's attempt and its lease", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2027-02-01T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('renews its lease while its work runs longer than the lease, and records the page', async () => {
    const { world, renewals, run } = await aSlowImport();

    const outcome = await run();

    expect(outcome).toMatchObject({ outcome: 'done' });
    expect(renewals.length).toBeGreaterThanOrEqual(Math.floor(45_000 / (attemptLeaseMs / 3)));
    expect(await world.outlets.findByEmail('desk@x.example')).toMatchObject({ name: 'Line 4' });
  });

  it('fails the attempt, writing no more rows, once a renewal is refused (another attempt holds the page)', async () => {
    const { world, job, run } = await aSlowImport();
    const renew = world.store.renewAttempt;
    let renewed = 0;
    world.store.renewAttempt = async (...args) => (++renewed === 2 ? false : renew(...args));

    const outcome = await run();

    expect(outcome).toMatch(/^threw: lease lost/);
    // Line 2 was written at 15 s; line 3's write, due at 30 s, came after the refusal at 20 s.
    expect(await world.outlets.findByEmail('desk@x.example')).toMatchObject({ name: 'Line 2' });
    expect(await world.store.get(job.jobId)).toMatchObject({
      pagesDone: 0,
      lastError: expect.stringMatching(/^lease lost/),
    });
  });

  it('fails the attempt, writing no more rows, when its lease is about to lapse, a renewal not answering', async () => {
    const { world, job, run } = await aSlowImport();
    world.store.renewAttempt = () => new Promise(() => {});

    const outcome = await run();

    expect(outcome).toMatch(/^threw: lease lapsing/);
    expect(await world.outlets.findByEmail('desk@x.example')).toMatchObject({ name: 'Line 2' });
    expect(await world.store.get(job.jobId)).toMatchObject({
      pagesDone: 0,
      lastError: expect.stringMatching(/^lease lapsing/),
    });
  });

  /*
   * The fence closes itself when the attempt cannot renew its lease; a write it had sent and the SDK
   * is still trying (the table throttling it) is given up then: the fence's signal is the SDK's
   * abortSignal, which stops its retries. Let through, it could land after the next attempt recorded
   * the page and the job is done, over an edit the manager made through the API since, which no re-run
   * of a recorded page would ever undo.
   */
  it('does not undo an edit the manager made once the import was done', async () => {
    const { world, deps } = anImportWorld();
    // The world's clock is the (faked) system clock, which the lease's timers run on.
    Object.defineProperty(world.clock, 'now', { get: () => new Date() });
    const job = await startImport(
      ['name,email,kind,territories', 'Desk,desk@x.example,press,GB'].join('\n'),
      deps,
    );

    // The table throttles the first attempt: its row's write, sent through its open fence, is answered
    // only when `answer()` is called, the SDK trying it until then unless the signal it was sent with
    // aborts (as the SDK's retries stop on their abortSignal); and its lease's renewal fails (the SDK
    // gave up retrying it).
    let answer = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const upsert = world.outlets.upsertByEmail.bind(world.outlets);
    let throttled = true;
    world.outlets.upsertByEmail = async (input, meta) => {
      if (!throttled || !meta.fence) return upsert(input, meta);
      throttled = false;
      return meta.fence.write(async (abortSignal?: AbortSignal) => {
        await Promise.race([
          answered,
          new Promise((_, reject) =>
            abortSignal?.addEventListener('abort', () => reject(new Error('AbortError: Request aborted'))),
          ),
        ]);
        return upsert(input, { ...meta, fence: undefined });
      });
    };
    const renew = world.store.renewAttempt;
    world.store.renewAttempt = async (jobId, page, attempt, at) => {
      if (attempt === 1)
        throw new Error(
          'ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput',
        );
      return renew(jobId, page, attempt, at);
    };

    // 10:00:00 the first attempt starts and sends its row's write.
    const first = runJobPage({ jobId: job.jobId, page: 0 }, world.runner).catch(
      (error: Error) => `threw: ${error.message}`,
    );
    await vi.advanceTimersByTimeAsync(5_000);
    // 10:00:05 a duplicate of the page's event is refused: the first attempt holds the page.
    const duplicate = await runJobPage({ jobId: job.jobId, page: 0 }, world.runner).catch(
      (error: Error) => `threw: ${error.message}`,
    );
    expect(duplicate).toMatch(/has an attempt running/);
    // 10:00:10 the renewal fails: the first attempt's fence closes, giving its write up.
    // 10:01:05 Lambda retries the duplicate: the lease lapsed at 10:00:30, so it is the page's next
    // attempt; it writes the row and records the page, and the job is done.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await runJobPage({ jobId: job.jobId, page: 0 }, world.runner)).toEqual({
      outcome: 'done',
      page: 0,
    });
    expect(await describeJob(job.jobId, world.routes)).toMatchObject({ status: 'done' });
    const desk = await world.outlets.findByEmail('desk@x.example');
    expect(desk).toMatchObject({ name: 'Desk', territories: ['GB'] });

    // 10:01:10 the manager edits the outlet through the API.
    await vi.advanceTimersByTimeAsync(5_000);
    const edited = await replaceOutlet(
      desk!.id,
      anOutletInput({ name: 'Desk Radio', email: 'desk@x.example', kind: 'press', territories: ['IT'] }),
      deps,
    );
    // 10:01:15 the table would take the first attempt's throttled write now (75 s after it was sent).
    await vi.advanceTimersByTimeAsync(5_000);
    answer();
    expect(await first).toMatch(/^threw: lease not renewed/);

    expect(await world.outlets.findByEmail('desk@x.example')).toMatchObject({
      name: edited.name,
      territories: edited.territories,
    });
  });

  /**
   * Lambda's asynchronous queue may deliver one invocation more than once ("it's possible for it to
   * receive the same event from Lambda multiple times because the queue itself is eventually
   * consistent"), and that duplicate carries the invocation's request id, as its retries do. A live
   * lease is taken over by no start, its owner's included: such a duplicate, arriving while the first
   * run works, is refused, and the first run records the page (before, it was counted as the page's
   * next attempt and overtook the run doing the page).
   */
  it('refuses a second delivery of the same invocation (one request id) while the first run works, and the first run records the page', async () => {
    const { world, job } = await aSlowImport();
    const invocation = { jobId: job.jobId, page: 0, owner: 'req-0c1f' };

    const first = answerOrThrown(runJobPage(invocation, world.runner));
    await vi.advanceTimersByTimeAsync(5_000);
    // The same invocation, delivered again by Lambda's queue 5 s in: its request id, a start of its own.
    const second = answerOrThrown(runJobPage(invocation, world.runner));
    await vi.advanceTimersByTimeAsync(60_000);

    expect({ first: await first, second: await second }).toMatchObject({
      first: { outcome: 'done' },
      second: expect.stringMatching(/^threw: AttemptLiveError/),
    });
  });

  /**
   * The same, both deliveries starting in the same millisecond: the lease's owner and end are the first
   * start's, and only the start's own id (`attemptStart`) tells the SDK's retry of that start (answered
   * the attempt it counted) from a second start; were the owner and end taken for it, both runs would
   * write the page's rows at once, each row twice.
   */
  it('refuses a second delivery of the same invocation starting in the same millisecond, so only one run writes the page’s rows', async () => {
    const { world, job, writes } = await aSlowImport();
    const invocation = { jobId: job.jobId, page: 0, owner: 'req-0c1f' };

    // The same invocation delivered twice by Lambda's queue, both deliveries starting at 10:00:00.000.
    const first = answerOrThrown(runJobPage(invocation, world.runner));
    const second = answerOrThrown(runJobPage(invocation, world.runner));
    await vi.advanceTimersByTimeAsync(60_000);

    expect({ first: await first, second: await second, rowsWritten: writes.length }).toMatchObject({
      first: { outcome: 'done' },
      second: expect.stringMatching(/^threw: AttemptLiveError/),
      rowsWritten: 3,
    });
  });
});
