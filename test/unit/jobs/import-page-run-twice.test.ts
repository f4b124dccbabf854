import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { replaceOutlet, startImport } from '#functions/management/outlets.ts';
import { rowsPerPage } from '#shared/db/jobs.ts';
import type { OutletInput } from '#shared/outlet-input.ts';
import { anImportWorld, aPageRunWithADuplicate } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

type ImportWorld = ReturnType<typeof anImportWorld>['world'];

/** The outlet each file here names on two lines (desk@x.example), as it stood before the imports: Desk, GB. */
const createDesk = (world: ImportWorld, input: Partial<OutletInput> = {}) =>
  world.outlets.create(
    anOutletInput({ name: 'Desk', email: 'desk@x.example', territories: ['GB'], ...input }),
    {
      id: 'out-existing',
      now: '2027-01-01T00:00:00.000Z',
    },
  );

/** Line 2 (page 0) says Early, FR; line 2 + rowsPerPage (page 1) then says Late, DE (rows between: other outlets). */
const earlyThenLate = [
  'name,email,kind,territories',
  'Early,desk@x.example,press,FR',
  ...Array.from({ length: rowsPerPage - 1 }, (_, i) => `Outlet ${i},o${i}@x.example,press,GB`),
  'Late,desk@x.example,press,DE',
].join('\n');

/** The duplicate's answer once it goes on: refused while the first run held the page, and Lambda's retry finding it recorded. */
const refusedThenFinished = {
  outcome: expect.stringMatching(/^threw: page 0 of job .* has an attempt running/),
  retried: { outcome: 'finished', page: 0 },
};

/**
 * docs/design.md#jobs: an import's line never overwrites an outlet a later line of the same job wrote.
 * A duplicate `Job Page Due` delivered while the first run writes the page's rows would run the page a
 * second time; were its rows written late (a slow or frozen environment), after the first run went on to
 * the next page, its row for an address would undo the file's last line for it. One attempt at a page
 * runs at a time (its lease): the duplicate is refused, and Lambda's retry finds the page recorded.
 */
describe('an import page run twice at once by a duplicate event, the first run gone on to the next page', () => {
  it("leaves the outlet as the file's later line left it, the duplicate refused while the first run held the page", async () => {
    const { world, deps } = anImportWorld();
    await createDesk(world);
    // Line 2 (page 0) moves the outlet to FR; line 2 + rowsPerPage (page 1) then moves it to DE.
    const job = await startImport(earlyThenLate, deps);

    // The first run does page 0 (a duplicate of its event delivered meanwhile), then page 1: the outlet is
    // as the file's last line for it says.
    const { duplicate } = await aPageRunWithADuplicate(world, job.jobId, 0);
    await runJobPage({ jobId: job.jobId, page: 1 }, world.runner);
    expect(await describeJob(job.jobId, world.routes)).toMatchObject({ status: 'done' });
    const late = await world.outlets.get('out-existing');
    expect(late).toMatchObject({ name: 'Late', territories: ['DE'] });

    // The duplicate goes on now: its rows, had its attempt started, are written late.
    const answered = await duplicate();

    expect(await world.outlets.get('out-existing')).toEqual(late);
    expect(answered).toEqual(refusedThenFinished);
  });
});

/**
 * docs/design.md#jobs: a later line that finds its outlet as it says writes nothing and records no
 * mark. When the manager's edit (which removes `importedBy`) put the outlet as the later line says before
 * that line ran, a duplicate of the earlier page writing late would find no mark and undo both the edit
 * and the file's last line for the address: one attempt at a page at a time (its lease) refuses it.
 */
describe('an import page run twice at once, the manager having edited the outlet as a later line then says', () => {
  it("leaves the outlet as the file's later line (and the manager) left it", async () => {
    const { world, deps } = anImportWorld();
    await createDesk(world, { kind: 'press', genres: [] });
    // Line 2 (page 0) moves the outlet to FR; line 2 + rowsPerPage (page 1) then says Late, DE.
    const job = await startImport(earlyThenLate, deps);

    const { duplicate } = await aPageRunWithADuplicate(world, job.jobId, 0);
    // Between the pages the manager edits the outlet as the file's later line will say it.
    world.clock.now = new Date('2027-02-01T10:01:00Z');
    await replaceOutlet(
      'out-existing',
      anOutletInput({
        name: 'Late',
        email: 'desk@x.example',
        kind: 'press',
        genres: [],
        territories: ['DE'],
      }),
      deps,
    );
    await runJobPage({ jobId: job.jobId, page: 1 }, world.runner);
    expect(await describeJob(job.jobId, world.routes)).toMatchObject({ status: 'done' });
    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });

    // The duplicate of page 0 goes on now: its rows, had its attempt started, are written late.
    const answered = await duplicate();

    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });
    expect(answered).toEqual(refusedThenFinished);
  });
});

/**
 * docs/design.md#jobs: two imports may run at once (nothing orders them). A line of the job started first
 * finds the outlet as the later-started job's later line wrote it and writes nothing, leaving that line's
 * mark; a duplicate of the later job's earlier page, writing late, would still undo that job's later line
 * were it not refused while the page's first run holds it (its lease).
 */
describe("an import line finding its outlet as another job's later line left it, while both jobs run", () => {
  it("leaves that job's mark, so a duplicate of its earlier page does not undo its later line", async () => {
    const { world, deps } = anImportWorld();
    await createDesk(world, { kind: 'press', genres: [] });
    // Job A, started first (a long import: its row for the address runs after job B's pages), says Late, DE.
    const jobA = await startImport(
      ['name,email,kind,territories', 'Late,desk@x.example,press,DE'].join('\n'),
      deps,
    );
    // Job B, started a minute later: line 2 (page 0) says Early, FR; line 2 + rowsPerPage (page 1) Late, DE.
    world.clock.now = new Date('2027-02-01T10:01:00Z');
    const jobB = await startImport(earlyThenLate, deps);

    const { duplicate } = await aPageRunWithADuplicate(world, jobB.jobId, 0);
    await runJobPage({ jobId: jobB.jobId, page: 1 }, world.runner);
    expect(await describeJob(jobB.jobId, world.routes)).toMatchObject({ status: 'done' });
    // Job A's row finds the outlet as it says, as job B's line 502 left it.
    await runJobPage({ jobId: jobA.jobId, page: 0 }, world.runner);
    expect(await describeJob(jobA.jobId, world.routes)).toMatchObject({ status: 'done' });
    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });

    // The duplicate of job B's page 0 goes on now: its rows, had its attempt started, are written late.
    const answered = await duplicate();

    // Both jobs' last word for the address is Late, DE; job B's line 2 must not undo its line 502.
    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });
    expect(answered).toEqual(refusedThenFinished);
  });
});
