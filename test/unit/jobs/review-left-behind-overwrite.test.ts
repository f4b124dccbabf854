import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { type OutletRoutesDeps, startImport } from '#functions/management/outlets.ts';
import { rowsPerPage } from '#shared/db/jobs.ts';
import { jobWorld } from '#test/support/jobs.ts';

/**
 * functions/jobs/outlet-import.ts: "Rows naming the same address run in file order (pages run one after
 * another), so the last one wins", and docs/design.md#jobs: work not finished by the deadline "is left
 * behind (what it writes later is what a re-run writes ...)". A re-run of page 0 would never run after
 * page 1 was recorded; work left behind by page 0's first attempt does.
 */
describe('an import page whose first attempt ran out of time, its work still going', () => {
  it('keeps what the last line for an address says, when that line is on a later page', async () => {
    const world = jobWorld();
    const deps: OutletRoutesDeps = {
      outlets: world.outlets,
      jobs: world.routes,
      now: () => world.clock.now,
      newOutletId: () => 'out-api',
    };
    // Line 2 (page 0) and line 502 (page 1) name the same address; the later one moves it to FR.
    const filler = Array.from({ length: rowsPerPage - 1 }, (_, i) => `Outlet ${i},o${i}@x.example,press,,GB`);
    const csv = [
      'name,email,kind,territories',
      'Twice,twice@x.example,press,GB',
      ...filler,
      'Twice,twice@x.example,press,FR',
    ].join('\n');
    const job = await startImport(csv, deps);

    // Page 0's first attempt: the table is slow for line 2's write, which outlives the attempt's deadline.
    let release = () => {};
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const upsert = world.outlets.upsertByEmail.bind(world.outlets);
    world.outlets.upsertByEmail = async (input, meta) => {
      if (input.email === 'twice@x.example') {
        world.outlets.upsertByEmail = upsert;
        await slow;
      }
      return upsert(input, meta);
    };
    const first = await runJobPage(
      { jobId: job.jobId, page: 0, deadline: world.clock.now.getTime() },
      world.runner,
    ).catch((error: Error) => `threw: ${error.message}`);
    expect(first).toMatch(/timed out/);

    // Lambda's retry does page 0, then page 1 runs; the job is done.
    await runJobPage({ jobId: job.jobId, page: 0 }, world.runner);
    await world.drain();
    expect(await describeJob(job.jobId, world.routes)).toMatchObject({ status: 'done' });
    expect((await world.outlets.findByEmail('twice@x.example'))?.territories).toEqual(['FR']);

    // The next invocation in the same environment thaws the first attempt's write of line 2.
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect((await world.outlets.findByEmail('twice@x.example'))?.territories).toEqual(['FR']);
  });
});
