import { describe, expect, it, vi } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { aTimedImport, namedByJobs, onFakeTimers, timedOutByTheClient } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

/** Runs the job's page 0 (one attempt, invocation-1) over 15 s of the fake timers, whatever its outcome. */
async function runPageFor15s(world: Awaited<ReturnType<typeof aTimedImport>>['world'], jobId: string) {
  const page = runJobPage({ jobId, page: 0, owner: 'invocation-1' }, world.runner).catch(
    (error: Error) => `threw: ${error.message}`,
  );
  await vi.advanceTimersByTimeAsync(15_000);
  await page;
}

/**
 * docs/design.md#jobs: an import page's completion "holds one `Outlets Changed` naming the outlets the
 * page created", and the jobs function's DynamoDB client gives up a try not answered within 3 s, "but for
 * a try DynamoDB had received when the client gave it up, which DynamoDB applies or refuses as it serves
 * that request". A row's write whose last try the client gave up itself (`TimeoutError`, the SDK's tries
 * spent) while the fence is open is a row that "could not be saved", and the try DynamoDB had received
 * creates the outlet all the same, 200 ms later. The page names the outlet its line would create: else
 * no `Outlets Changed` names it (whom it reaches is never told), and importing the file again finds it as
 * the line says and names it neither.
 */
describe('an import page whose row write the client gave up on (request timeout), DynamoDB applying it', () => {
  onFakeTimers();

  it("names the outlet that write created in the page's Outlets Changed", async () => {
    const { world, job } = await aTimedImport(['Desk,desk@x.example,press,GB']);

    // The table is slow: each of the SDK's three tries of the row's write (the outlet's creation) goes
    // unanswered for 3 s and is given up; the last one DynamoDB had received, and applies 200 ms later.
    world.outlets.upsertByEmail = timedOutByTheClient(world.outlets.upsertByEmail.bind(world.outlets));

    await runPageFor15s(world, job.jobId);

    const desk = await world.outlets.findByEmail('desk@x.example');
    const named = namedByJobs(world);
    expect({ created: desk?.id, named }).toEqual({ created: expect.any(String), named: [desk?.id] });
  });

  it("names the outlet that write moved to another territory in the page's Outlets Changed", async () => {
    const { world, job } = await aTimedImport(['Desk,desk@x.example,press,FR'], (world) =>
      world.outlets.create(anOutletInput({ email: 'desk@x.example', territories: ['GB'] }), {
        id: 'out-existing',
        now: '2027-01-01T00:00:00.000Z',
      }),
    );

    // As above: the row's write (the outlet's move to FR) times out three times, the last try applied later.
    world.outlets.upsertByEmail = timedOutByTheClient(world.outlets.upsertByEmail.bind(world.outlets));

    await runPageFor15s(world, job.jobId);

    const desk = await world.outlets.findByEmail('desk@x.example');
    const named = namedByJobs(world);
    expect({ territories: desk?.territories, named }).toEqual({
      territories: ['FR'],
      named: expect.arrayContaining(['out-existing']),
    });
  });
});
