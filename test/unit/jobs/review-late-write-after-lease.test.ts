import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { replaceOutlet, startImport } from '#functions/management/outlets.ts';
import { anImportWorld } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

/**
 * docs/design.md#jobs: one attempt at a page at a time, so that no attempt writes a page's rows once
 * the page is recorded. The fence closes itself when the attempt cannot renew its lease, and the writes
 * it had sent then have what is left of the lease (at least 10 s) to answer before another attempt may
 * start. A write that takes longer (the table throttling it, the SDK retrying) is still let through:
 * design.md states it may land "while the next attempt writes, as a re-run's row would". It can land
 * later than that: after the next attempt recorded the page and the job is done, over an edit the
 * manager made through the API since, which no re-run of a recorded page would ever undo.
 */
describe("an import attempt's write answered long after its lease lapsed", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2027-02-01T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not undo an edit the manager made once the import was done', async () => {
    const { world, deps } = anImportWorld();
    // The world's clock is the (faked) system clock, which the lease's timers run on.
    Object.defineProperty(world.clock, 'now', { get: () => new Date() });
    const job = await startImport(
      ['name,email,kind,territories', 'Desk,desk@x.example,press,GB'].join('\n'),
      deps,
    );

    // The table throttles the first attempt: its row's write, sent through its open fence, is answered
    // only when `answer()` is called, and its lease's renewal fails (the SDK gave up retrying it).
    let answer = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const upsert = world.outlets.upsertByEmail.bind(world.outlets);
    let throttled = true;
    world.outlets.upsertByEmail = async (input, meta) => {
      if (!throttled || !meta.fence) return upsert(input, meta);
      throttled = false;
      return meta.fence.write(async () => {
        await answered;
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
    // 10:00:10 the renewal fails: the first attempt's fence closes; it waits for its write to answer.
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
    // 10:01:15 the table takes the first attempt's throttled write at last (75 s after it was sent).
    await vi.advanceTimersByTimeAsync(5_000);
    answer();
    expect(await first).toMatch(/^threw: lease not renewed/);

    expect(await world.outlets.findByEmail('desk@x.example')).toMatchObject({
      name: edited.name,
      territories: edited.territories,
    });
  });
});
