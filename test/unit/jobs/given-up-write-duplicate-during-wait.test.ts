import { describe, expect, it, vi } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { aLastAttemptWhoseFenceCloses, deskLeftBy, onFakeTimers } from '#test/support/jobs.ts';

/**
 * docs/design.md#jobs: on a page's last attempt a row write its fence gave up "must not land after the
 * job's failure has read the page's addresses (an outlet it created would be named by no `Outlets
 * Changed`)", so the attempt waits `attemptRequestTimeoutMs` (3 s) before that read, and before recording
 * its failure, which gives the page's lease up. A duplicate delivery of the page's event arriving during
 * the wait is refused by the lease; had the lease been given up first, it would start attempt 4, find the
 * attempts spent and fail the job at once, reading the page's addresses before the given-up try lands,
 * and the outlet that try created would be named by nothing.
 */
describe("an import page's last attempt whose row write its fence gave up, and a duplicate of its event", () => {
  onFakeTimers();

  it("names in the job's failure the outlet that write created", async () => {
    // Its third attempt, the last: the row's write (the outlet's creation) is received and not yet answered
    // when the fence closes (its lease's renewal fails at 10:00:10); DynamoDB applies it 200 ms after the
    // client gave it up.
    const { world, job } = await aLastAttemptWhoseFenceCloses();

    const last = runJobPage({ jobId: job.jobId, page: 0, owner: 'invocation-1' }, world.runner).catch(
      (error: Error) => `threw: ${error.message}`,
    );
    await vi.advanceTimersByTimeAsync(10_050);
    // 50 ms into the last attempt's 3 s wait, a duplicate of the page's event (another invocation).
    const duplicate = runJobPage({ jobId: job.jobId, page: 0, owner: 'invocation-2' }, world.runner).catch(
      (error: Error) => `threw: ${error.message}`,
    );
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await last).toMatchObject({ outcome: 'failed' });
    // Refused by the waiting attempt's lease, and retried by Lambda later (finding the job failed).
    expect(await duplicate).toMatch(/^threw: page 0 of job .* has an attempt running/);

    const { desk, left } = await deskLeftBy(world, job.jobId);
    expect(left).toEqual({
      status: 'failed',
      created: expect.any(String),
      named: [desk?.id],
    });
  });
});
