import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { startImport } from '#functions/management/outlets.ts';
import { rowsPerPage } from '#shared/db/jobs.ts';
import { anImportWorld, namedOutlets } from '#test/support/jobs.ts';

/**
 * docs/design.md#jobs: work not finished by the deadline "is left behind, fenced" (the attempt closes
 * the fence its outlet writes go through when it ends), and a page that fails for good has its failure
 * name "every outlet that holds one of the page's addresses then", since importing the file again "finds
 * its rows written and names none of them". Work left behind by the last attempt writes nothing once
 * that attempt has ended, so no outlet it would write goes unnamed.
 */

function importing() {
  const { world, deps } = anImportWorld();
  /** Holds every upsert of the import until `release` (a slow table: the attempt's work outlives its deadline). */
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const upsert = world.outlets.upsertByEmail.bind(world.outlets);
  const hold = () => {
    world.outlets.upsertByEmail = async (...args) => {
      await held;
      return upsert(...args);
    };
  };
  const stopHolding = () => {
    world.outlets.upsertByEmail = upsert;
  };
  const named = () => namedOutlets(world);
  return { world, deps, hold, stopHolding, release, named };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('an import page whose last attempt ran out of time, its work still going', () => {
  it('names the outlet that work creates after the job failed, at the latest when the manager imports the file again', async () => {
    const { world, deps, hold, stopHolding, release, named } = importing();
    const csv = 'name,email,kind,genres,territories\nNew,new@x.example,press,techno,GB\n';
    const first = await startImport(csv, deps);
    hold();
    // Three attempts, each stopped at its deadline (here: at once) while its row is still being written.
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      outcomes.push(
        await runJobPage(
          { jobId: first.jobId, page: 0, deadline: world.clock.now.getTime() },
          world.runner,
        ).then(
          (outcome) => outcome.outcome,
          (error: Error) => `threw: ${error.message}`,
        ),
      );
    }
    expect(outcomes).toEqual([
      expect.stringMatching(/timed out/),
      expect.stringMatching(/timed out/),
      'failed',
    ]);
    expect(await describeJob(first.jobId, world.routes)).toMatchObject({ status: 'failed' });

    // The left-behind work goes on (the next invocation in the same environment thaws it): its attempt
    // has ended, so it writes nothing (docs/design.md#jobs), and no outlet escapes the failure's names.
    stopHolding();
    release();
    await settle();
    expect(await world.outlets.findByEmail('new@x.example')).toBeUndefined();

    // The manager sees the job failed and imports the same file again, as docs/design.md#jobs says to.
    world.clock.now = new Date('2027-02-01T11:00:00Z');
    const again = await startImport(csv, deps);
    await world.drain();
    expect(await describeJob(again.jobId, world.routes)).toMatchObject({ status: 'done' });

    // The outlet on the address is named by an Outlets Changed: it hears of the releases announced before it.
    const written = await world.outlets.findByEmail('new@x.example');
    expect(named()).toContain(written!.id);
  });
});

/**
 * functions/jobs/outlet-import.ts: "Rows naming the same address run in file order (pages run one after
 * another), so the last one wins", and docs/design.md#jobs: work not finished by the deadline "is left
 * behind, fenced". A re-run of page 0 would never run after page 1 was recorded; work left behind by
 * page 0's first attempt would, were it not fenced.
 */
describe('an import page whose first attempt ran out of time, its work still going', () => {
  it('keeps what the last line for an address says, when that line is on a later page', async () => {
    const { world, deps } = anImportWorld();
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
    await settle();

    expect((await world.outlets.findByEmail('twice@x.example'))?.territories).toEqual(['FR']);
  });
});
