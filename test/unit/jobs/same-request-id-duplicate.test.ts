import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { startImport } from '#functions/management/outlets.ts';
import { anImportWorld } from '#test/support/jobs.ts';

/**
 * docs/design.md#jobs: "One attempt at a page runs at a time", and "A start refused by another
 * invocation's live lease (a duplicate event delivered while the first run works) counts nothing and
 * throws". Lambda's asynchronous queue may deliver one invocation more than once ("it's possible for it
 * to receive the same event from Lambda multiple times because the queue itself is eventually
 * consistent"), and that duplicate carries the invocation's request id, as its retries do. A live lease
 * is taken over by no start, its owner's included: such a duplicate, arriving while the first run works,
 * is refused, and the first run records the page (before, it was counted as the page's next attempt and
 * overtook the run doing the page).
 */

/** An import of three lines for one address, each row's write taking 15 s: 45 s of work. */
async function aSlowImport() {
  const { world, deps } = anImportWorld();
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
  return { world, job };
}

describe("an import page's invocation delivered twice by Lambda's queue (one request id)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2027-02-01T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('refuses the second delivery while the first run works, and the first run records the page', async () => {
    const { world, job } = await aSlowImport();
    const invocation = { jobId: job.jobId, page: 0, owner: 'req-0c1f' };
    const outcome = (running: Promise<unknown>) =>
      running.then(
        (answer) => answer,
        (error: Error) => `threw: ${error.name}: ${error.message}`,
      );

    const first = outcome(runJobPage(invocation, world.runner));
    await vi.advanceTimersByTimeAsync(5_000);
    // The same invocation, delivered again by Lambda's queue 5 s in: its request id, a start of its own.
    const second = outcome(runJobPage(invocation, world.runner));
    await vi.advanceTimersByTimeAsync(60_000);

    expect({ first: await first, second: await second }).toMatchObject({
      first: { outcome: 'done' },
      second: expect.stringMatching(/^threw: AttemptLiveError/),
    });
  });
});
