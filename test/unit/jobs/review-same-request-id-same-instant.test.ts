import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { startImport } from '#functions/management/outlets.ts';
import { anImportWorld } from '#test/support/jobs.ts';

/**
 * docs/design.md#jobs: a live lease "is taken over by no start, its owner's included: two deliveries
 * sharing a request id never write a page at once" (51bf489). The store tells the SDK's retry of a start
 * (its answer lost) from a start of its own by the lease's owner and end only (`attemptOwner` and
 * `attemptLiveUntil`, the end derived from the start's time), so a second delivery of the same invocation
 * that starts in the same millisecond as the first is answered the attempt the first counted, as if it
 * were that start sent again: both run the page's rows at once, each row written twice.
 */

/** An import of three lines for one address, each row's write taking 15 s (as attempt-lease.test.ts's). */
async function aSlowImport() {
  const { world, deps } = anImportWorld();
  Object.defineProperty(world.clock, 'now', { get: () => new Date() });
  const upsert = world.outlets.upsertByEmail.bind(world.outlets);
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
  return { world, job, writes };
}

describe("an import page's attempt and a second delivery of its invocation in the same millisecond", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2027-02-01T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('refuses the second delivery, so only one run writes the page’s rows', async () => {
    const { world, job, writes } = await aSlowImport();
    const invocation = { jobId: job.jobId, page: 0, owner: 'req-0c1f' };
    const outcome = (running: Promise<unknown>) =>
      running.then(
        (answer) => answer,
        (error: Error) => `threw: ${error.name}: ${error.message}`,
      );

    // The same invocation delivered twice by Lambda's queue, both deliveries starting at 10:00:00.000.
    const first = outcome(runJobPage(invocation, world.runner));
    const second = outcome(runJobPage(invocation, world.runner));
    await vi.advanceTimersByTimeAsync(60_000);

    expect({ first: await first, second: await second, rowsWritten: writes.length }).toMatchObject({
      first: { outcome: 'done' },
      second: expect.stringMatching(/^threw: AttemptLiveError/),
      rowsWritten: 3,
    });
  });
});
