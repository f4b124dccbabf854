import { describe, expect, it } from 'vitest';
import { importPage } from '#functions/jobs/outlet-import.ts';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { replaceOutlet, startImport } from '#functions/management/outlets.ts';
import { rowsPerPage } from '#shared/db/jobs.ts';
import { WriteFence } from '#shared/db/write-fence.ts';
import type { OutletInput } from '#shared/outlet-input.ts';
import { anImportWorld } from '#test/support/jobs.ts';
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

/** A duplicate run of the job's page 0, its attempt counted while page 0 was still the job's next: its rows written now. */
const duplicateOfPage0 = async (world: ImportWorld, jobId: string) =>
  importPage((await world.store.get(jobId))!, 0, world.runner, {
    number: 2,
    fence: new WriteFence(),
  });

/**
 * docs/design.md#jobs: an import's line never overwrites an outlet a later line of the same job wrote.
 * A duplicate `Job Page Due` runs a page a second time at once with its first run; the first run goes on
 * to the next page while the duplicate is still writing. Each run is fenced only by its own end, so the
 * duplicate's row for an address would land after the next page's line for that address and undo the
 * file's last line for it. The two runs are played here one after the other: the page's work is called
 * directly for the duplicate, after the first run recorded its page and the next page's.
 */
describe('an import page run twice at once by a duplicate event, the first run gone on to the next page', () => {
  it("leaves the outlet as the file's later line left it, and counts the duplicate's earlier line unchanged", async () => {
    const { world, deps } = anImportWorld();
    await createDesk(world);
    // Line 2 (page 0) moves the outlet to FR; line 2 + rowsPerPage (page 1) then moves it to DE.
    const job = await startImport(earlyThenLate, deps);

    // The first run does page 0, then page 1: the outlet is as the file's last line for it says.
    await runJobPage({ jobId: job.jobId, page: 0 }, world.runner);
    await runJobPage({ jobId: job.jobId, page: 1 }, world.runner);
    expect(await describeJob(job.jobId, world.routes)).toMatchObject({ status: 'done' });
    const late = await world.outlets.get('out-existing');
    expect(late).toMatchObject({ name: 'Late', territories: ['DE'] });

    // The duplicate, its attempt at page 0 counted while page 0 was still the job's next, writes its rows now.
    const duplicate = await duplicateOfPage0(world, job.jobId);

    expect(await world.outlets.get('out-existing')).toEqual(late);
    // Its line 2 found the outlet as line 2 + rowsPerPage left it: it updated nothing.
    expect(duplicate).toMatchObject({
      counts: { created: rowsPerPage - 1, updated: 0, unchanged: 1, rejected: 0 },
    });
  });
});

/**
 * docs/design.md#jobs: a duplicate run of an import page "keeps each of its rows from undoing a later
 * line of the file". A later line that finds its outlet as it says writes nothing, so it records no
 * `importedLine`: when the manager's edit (which removes `importedBy`) put the outlet as the later line
 * says before that line ran, the duplicate's earlier line finds no mark and writes, undoing both the
 * edit and the file's last line for the address. A re-run of the job's pages in order would leave the
 * outlet as that last line says.
 */
describe('an import page run twice at once, the manager having edited the outlet as a later line then says', () => {
  it("leaves the outlet as the file's later line (and the manager) left it", async () => {
    const { world, deps } = anImportWorld();
    await createDesk(world, { kind: 'press', genres: [] });
    // Line 2 (page 0) moves the outlet to FR; line 2 + rowsPerPage (page 1) then says Late, DE.
    const job = await startImport(earlyThenLate, deps);

    await runJobPage({ jobId: job.jobId, page: 0 }, world.runner);
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

    // The duplicate of page 0, counted while page 0 was still the job's next, writes its rows now.
    await duplicateOfPage0(world, job.jobId);

    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });
  });
});

/**
 * docs/design.md#jobs: "A line never overwrites an outlet a later line of its own job wrote", kept by
 * the line's mark (`importedBy`, `importedLine`). A line that finds its outlet as it says, marked by no
 * line of its job and with an `updatedAt` not before its job's `createdAt`, replaces the mark with its
 * own (`marksUnchangedOutlet`). Two imports may run at once (nothing orders them): a line of the job
 * started first finds the outlet as the later-started job's later line wrote it (its `updatedAt`, that
 * job's time, is after the first job's) and takes that line's mark away, so a duplicate run of the
 * later job's earlier page no longer sees its own later line and undoes it. Before marksUnchangedOutlet
 * the first job's line wrote nothing and the mark stood.
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

    await runJobPage({ jobId: jobB.jobId, page: 0 }, world.runner);
    await runJobPage({ jobId: jobB.jobId, page: 1 }, world.runner);
    expect(await describeJob(jobB.jobId, world.routes)).toMatchObject({ status: 'done' });
    // Job A's row finds the outlet as it says, as job B's line 502 left it.
    await runJobPage({ jobId: jobA.jobId, page: 0 }, world.runner);
    expect(await describeJob(jobA.jobId, world.routes)).toMatchObject({ status: 'done' });
    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });

    // A duplicate of job B's page 0, counted while page 0 was still B's next, writes its rows now.
    await duplicateOfPage0(world, jobB.jobId);

    // Both jobs' last word for the address is Late, DE; job B's line 2 must not undo its line 502.
    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });
  });
});
