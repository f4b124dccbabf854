import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { startImport } from '#functions/management/outlets.ts';
import { attemptLeaseMs } from '#shared/db/jobs.ts';
import { anImportWorld } from '#test/support/jobs.ts';

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
  world.outlets.upsertByEmail = async (...args) => {
    await new Promise((resolve) => setTimeout(resolve, 15_000));
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
  return { world, job, renewals, run };
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
});
