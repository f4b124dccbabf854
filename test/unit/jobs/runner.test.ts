import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeHandler } from '#functions/jobs/handler.ts';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { buildDetail, JobRequested } from '#shared/events/index.ts';
import { anEvent } from '#test/support/events.ts';
import { aStartedReplay, untilLambdaRetries } from '#test/support/jobs.ts';

/**
 * The jobs function when a page's attempts never return (docs/design.md#jobs): Lambda's timeout
 * kills an attempt, so nothing after the work runs; the job must still end `failed`, saying why,
 * once the page's attempts are spent, and never run a page its attempts were spent on again.
 */

/** A replay whose first page's work never returns (the label's webhooks are read for ever). */
async function aReplayThatNeverReturns() {
  const { world, job } = await aStartedReplay();
  let reads = 0;
  world.webhooks.receivedBetween = () => {
    reads++;
    return new Promise(() => {});
  };
  return { world, job, reads: () => reads };
}

const requested = (jobId: string) =>
  anEvent(JobRequested, buildDetail(JobRequested, { jobId, kind: 'webhook-replay' }));

describe('a page whose attempts never return', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails the job, saying the page did not finish in time, on the last of its three attempts rather than leaving it running', async () => {
    const { world, job } = await aReplayThatNeverReturns();
    const handler = makeHandler(world.runner);
    /** One invocation, as Lambda runs it: a function of 31 s, cut off at its timeout. */
    const invoke = async () => {
      const timeoutAt = Date.now() + 31_000;
      const context = { getRemainingTimeInMillis: () => timeoutAt - Date.now() } as Context;
      const run = handler(requested(job.jobId), context).then(
        () => 'returned',
        (error: Error) => `threw: ${error.message}`,
      );
      await vi.advanceTimersByTimeAsync(31_000);
      return Promise.race([run, 'killed at its timeout']);
    };

    const attempts = [await invoke(), await invoke(), await invoke()];
    const shown = await describeJob(job.jobId, world.routes);

    expect(attempts).toEqual([
      expect.stringMatching(/^threw: .*did not finish/),
      expect.stringMatching(/^threw: .*did not finish/),
      'returned',
    ]);
    expect(shown).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/page 0 failed 3 times: .*did not finish within 1 s/),
    });
  });

  it('fails the job without running the page again when its three attempts were killed before they could record anything', async () => {
    const { world, job, reads } = await aReplayThatNeverReturns();
    // Three attempts killed mid-work (an abandoned promise: nothing after the work ever runs), each
    // retried by Lambda a minute later, once its lease has lapsed.
    for (let attempt = 0; attempt < 3; attempt++) {
      void runJobPage({ jobId: job.jobId, page: 0 }, world.runner);
      await vi.advanceTimersByTimeAsync(0);
      untilLambdaRetries(world);
    }
    world.webhooks.receivedBetween = async () => ({ items: [] });

    // The same event again: a redrive of the on-failure queue, or a late duplicate.
    const again = await runJobPage({ jobId: job.jobId, page: 0 }, world.runner);
    const shown = await describeJob(job.jobId, world.routes);

    expect(reads()).toBe(3);
    expect(again).toMatchObject({ outcome: 'failed' });
    expect(shown).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/page 0 did not finish in 3 attempts/),
    });
  });
});
