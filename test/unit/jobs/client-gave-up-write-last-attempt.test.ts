import { describe, expect, it } from 'vitest';
import {
  aLastAttemptWithWaveStillReading,
  deskLeftBy,
  onFakeTimers,
  runTheLastAttempt,
  timedOutByTheClient,
} from '#test/support/jobs.ts';

/**
 * docs/design.md#jobs: a try DynamoDB had received when the client gave it up is applied as DynamoDB serves
 * it, and "on the page's last attempt it must not land after the job's failure has read the page's
 * addresses (an outlet it created would be named by no `Outlets Changed`)": the last attempt waits 3 s
 * when a write it sent went without the table's answer (`unansweredSent`), whether its fence's closing gave
 * it up or the client did on its own. Here the client gives desk@x.example's write up (`TimeoutError`, its
 * three 3 s tries spent) 100 ms before the attempt's deadline, while another row is still reading (no
 * write in flight at the fence): the try lands 200 ms after it was given up, creating desk, and the job's
 * failure, read after the wait, names it.
 */
describe("an import page's last attempt failing just after the client gave up a row write", () => {
  onFakeTimers();

  it("names in the job's failure the outlet that write created", async () => {
    // Two attempts were killed before they wrote anything (started, never recorded); this is the third.
    // wave's read before its write is slow: still reading when the attempt's deadline comes. The SDK's
    // three tries of desk's write go unanswered for 3 s each and are given up by the client; the last one
    // DynamoDB had received, and applies 200 ms later.
    const { world, job } = await aLastAttemptWithWaveStillReading(timedOutByTheClient);

    expect(await runTheLastAttempt(world, job.jobId, 9_100)).toMatchObject({ outcome: 'failed' });

    const { desk, left } = await deskLeftBy(world, job.jobId);
    expect(left).toEqual({
      status: 'failed',
      created: expect.any(String),
      named: expect.arrayContaining([desk?.id]),
    });
  });
});
