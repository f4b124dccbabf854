import { describe, expect, it, vi } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { aLastAttemptWhoseFenceCloses, deskLeftBy, onFakeTimers } from '#test/support/jobs.ts';

/**
 * docs/design.md#jobs: a page that fails for good never records its completion, so "the job's failure
 * names them instead, in the same write: one `Outlets Changed` for every outlet that holds one of the
 * page's addresses then"; the fence exists so that no outlet the attempt created lands after the job
 * failed, "named by no `Outlets Changed`". Since c8777ab closing the fence gives up the write under way
 * (the SDK's abortSignal) and the attempt goes on at once, while "a try DynamoDB had received when the
 * client gave it up" is still applied as DynamoDB serves it. On the page's last attempt, the job's
 * failure reads the page's addresses right away, before that try lands: the outlet it creates is named
 * by no `Outlets Changed`, and whom it reaches is never told.
 */
describe("an import page's last attempt whose row write was given up when its fence closed", () => {
  onFakeTimers();

  it("names in the job's failure the outlet that write created", async () => {
    // Its third attempt, the last: the row's write (the outlet's creation) is received and not yet answered
    // when the fence closes (its lease's renewal fails at 10:00:10); DynamoDB applies it 200 ms after the
    // client gave it up.
    const { world, job } = await aLastAttemptWhoseFenceCloses();

    const last = runJobPage({ jobId: job.jobId, page: 0 }, world.runner).catch(
      (error: Error) => `threw: ${error.message}`,
    );
    await vi.advanceTimersByTimeAsync(15_000);
    expect(await last).toMatchObject({ outcome: 'failed' });

    const { desk, left } = await deskLeftBy(world, job.jobId);
    expect(left).toEqual({
      status: 'failed',
      created: expect.any(String),
      named: [desk?.id],
    });
  });
});
