import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { replaceOutlet, startImport } from '#functions/management/outlets.ts';
import { rowsPerPage } from '#shared/db/jobs.ts';
import type { OutletInput } from '#shared/outlet-input.ts';
import { anImportWorld, aPageRunWithADuplicate } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

type ImportWorld = ReturnType<typeof anImportWorld>['world'];
type ImportDeps = ReturnType<typeof anImportWorld>['deps'];

/** The outlet each file here names on two lines (desk@x.example), as it stood before the imports: Desk, GB. */
const createDesk = (world: ImportWorld, input: Partial<OutletInput> = {}) =>
  world.outlets.create(
    anOutletInput({ name: 'Desk', email: 'desk@x.example', territories: ['GB'], ...input }),
    {
      id: 'out-existing',
      now: '2027-01-01T00:00:00.000Z',
    },
  );

/** An import world with the outlet created as a press outlet of no genres (as the files' lines leave it). */
const aPressDeskWorld = async () => {
  const scene = anImportWorld();
  await createDesk(scene.world, { kind: 'press', genres: [] });
  return scene;
};

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

/** An import of one line (line 2) for the outlet: `Late,desk@x.example,press,DE`, say. */
const oneLine = (line: string) => ['name,email,kind,territories', line].join('\n');

/** Runs a job's page (no duplicate) and sees the job done. */
const runToDone = async (world: ImportWorld, jobId: string, page: number) => {
  await runJobPage({ jobId, page }, world.runner);
  expect(await describeJob(jobId, world.routes)).toMatchObject({ status: 'done' });
};

/** Sees the outlet (out-existing) named `name` in `territories`. */
const expectDesk = async (world: ImportWorld, name: string, territories: string[]) =>
  expect(await world.outlets.get('out-existing')).toMatchObject({ name, territories });

/** The manager replaces the outlet through the API (acknowledged 200), which removes any import's mark. */
const managerEdits = (deps: ImportDeps, name: string, territories: string[]) =>
  replaceOutlet(
    'out-existing',
    anOutletInput({ name, email: 'desk@x.example', kind: 'press', genres: [], territories }),
    deps,
  );

/**
 * The duplicate goes on now (its rows, had its attempt started, are written late): the outlet must still
 * be `name` in `territories`, and the duplicate refused while the first run held the page.
 */
const lateDuplicateLeaves = async (
  world: ImportWorld,
  duplicate: () => Promise<unknown>,
  name: string,
  territories: string[],
) => {
  const answered = await duplicate();
  await expectDesk(world, name, territories);
  expect(answered).toEqual(refusedThenFinished);
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
    await runToDone(world, job.jobId, 1);
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
    const { world, deps } = await aPressDeskWorld();
    // Line 2 (page 0) moves the outlet to FR; line 2 + rowsPerPage (page 1) then says Late, DE.
    const job = await startImport(earlyThenLate, deps);

    const { duplicate } = await aPageRunWithADuplicate(world, job.jobId, 0);
    // Between the pages the manager edits the outlet as the file's later line will say it.
    world.clock.now = new Date('2027-02-01T10:01:00Z');
    await managerEdits(deps, 'Late', ['DE']);
    await runToDone(world, job.jobId, 1);
    await expectDesk(world, 'Late', ['DE']);

    // The duplicate of page 0 goes on now: its rows, had its attempt started, are written late.
    await lateDuplicateLeaves(world, duplicate, 'Late', ['DE']);
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
    const { world, deps } = await aPressDeskWorld();
    // Job A, started first (a long import: its row for the address runs after job B's pages), says Late, DE.
    const jobA = await startImport(oneLine('Late,desk@x.example,press,DE'), deps);
    // Job B, started a minute later: line 2 (page 0) says Early, FR; line 2 + rowsPerPage (page 1) Late, DE.
    world.clock.now = new Date('2027-02-01T10:01:00Z');
    const jobB = await startImport(earlyThenLate, deps);

    const { duplicate } = await aPageRunWithADuplicate(world, jobB.jobId, 0);
    await runToDone(world, jobB.jobId, 1);
    // Job A's row finds the outlet as it says, as job B's line 502 left it.
    await runToDone(world, jobA.jobId, 0);
    await expectDesk(world, 'Late', ['DE']);

    // The duplicate of job B's page 0 goes on now: its rows, had its attempt started, are written late.
    // Both jobs' last word for the address is Late, DE; job B's line 2 must not undo its line 502.
    await lateDuplicateLeaves(world, duplicate, 'Late', ['DE']);
  });
});

/**
 * docs/design.md#jobs: "A page re-run after a crash, or run twice by a duplicate event, finds its
 * completion recorded and stops; its work is written so that doing it again changes nothing", and
 * "An outlet the API edited since, or another job wrote last, is written as before" (imports are last
 * writer wins, in the order their lines run). A duplicate `Job Page Due` whose attempt was counted while
 * the page was still the job's next writes its rows after the first run has recorded the page: each row
 * is a line that already ran, and writing it again must change nothing. Where another import has
 * written the outlet since (a later import of a corrected file, here), the duplicate's row finds that
 * job's mark, not its own, and writes its stale line over it: the manager's newer import is undone
 * for that address, with no error anywhere, while both jobs show `done`. One attempt at a page runs at a
 * time (its lease): the duplicate delivered while the first run works is refused, and Lambda's retry of
 * it finds the page recorded.
 */
describe("a duplicate run of an import's page, another import having written the outlet since", () => {
  it('leaves the outlet as the later import left it', async () => {
    const { world, deps } = await aPressDeskWorld();
    // Job B: one page, its line 2 says Early, FR.
    const jobB = await startImport(oneLine('Early,desk@x.example,press,FR'), deps);
    // The first run of B's page 0, a duplicate of its event delivered while it writes its rows.
    const { duplicate } = await aPageRunWithADuplicate(world, jobB.jobId, 0);
    expect(await describeJob(jobB.jobId, world.routes)).toMatchObject({ status: 'done' });

    // The manager then imports a corrected file (job C): the outlet is Late, DE.
    world.clock.now = new Date('2027-02-01T10:05:00Z');
    const jobC = await startImport(oneLine('Late,desk@x.example,press,DE'), deps);
    await runToDone(world, jobC.jobId, 0);
    await expectDesk(world, 'Late', ['DE']);

    // The duplicate of B's page 0 goes on now: its rows, had its attempt started, are written late.
    // B's line 2 already ran (before job C); running it again must change nothing.
    await lateDuplicateLeaves(world, duplicate, 'Late', ['DE']);
  });
});

/**
 * docs/design.md#jobs: a page "run twice by a duplicate event ... its work is written so that doing it
 * again changes nothing", and a line never overwrites an outlet a later line of its own job wrote. The
 * file's later line for the address writes the outlet and marks it (`importedBy`, `importedLine`); the
 * manager then edits the outlet through the API (acknowledged 200), which removes the mark. A duplicate
 * run of the earlier page, its attempt counted while that page was still the job's next, then finds no
 * mark and writes its line 2 over the manager's edit: the edit, made after the whole file had run, is
 * lost, and the outlet holds neither the edit nor the file's last line for the address.
 */
describe("a duplicate run of an import's earlier page, the manager having edited the outlet after the file's later line", () => {
  it("leaves the manager's edit", async () => {
    const { world, deps } = await aPressDeskWorld();
    const job = await startImport(earlyThenLate, deps);

    // The first run does page 0 then page 1: the file's later line leaves the outlet Late, DE.
    // A duplicate of page 0's event is delivered while its first run writes its rows.
    const { duplicate } = await aPageRunWithADuplicate(world, job.jobId, 0);
    await runToDone(world, job.jobId, 1);
    await expectDesk(world, 'Late', ['DE']);

    // The manager then renames the outlet and moves it to IT through the API.
    world.clock.now = new Date('2027-02-01T10:05:00Z');
    await managerEdits(deps, 'Edited', ['IT']);
    await expectDesk(world, 'Edited', ['IT']);

    // The duplicate goes on now: its rows, had its attempt started, are written late.
    // Line 2 ran before the file's later line, which ran before the edit: the edit stands.
    await lateDuplicateLeaves(world, duplicate, 'Edited', ['IT']);
  });
});

/**
 * docs/design.md#jobs: a line never overwrites an outlet a later line of its own job wrote, and a line
 * that finds its outlet as it says after a change made while its job ran records itself, so that "a
 * duplicate run of an earlier page would [not] undo ... the file's last line for the address". Since
 * 522beb4 a line records itself only on an outlet no import marks: job A's later line, finding the outlet
 * as job B (started after A) left it, records nothing and leaves B's mark. A duplicate of A's page 0 then
 * finds no mark of A and writes A's line 2 over both A's own last line for the address and B's line.
 * Before 522beb4 A's later line took the mark and the duplicate left the outlet (it moved the hole from
 * job B's duplicate to job A's).
 */
describe("a duplicate of an import's earlier page, its later line having found the outlet as another job left it", () => {
  it("leaves the outlet as the file's later line (and the other job) left it", async () => {
    const { world, deps } = await aPressDeskWorld();
    // Job A, started first: line 2 (page 0) Early, FR; line 2 + rowsPerPage (page 1) Late, DE.
    const jobA = await startImport(earlyThenLate, deps);
    // A duplicate of page 0's event is delivered while its first run writes its rows.
    const { duplicate } = await aPageRunWithADuplicate(world, jobA.jobId, 0);

    // Job B, started a minute later, says Late, DE and runs before A's page 1.
    world.clock.now = new Date('2027-02-01T10:01:00Z');
    const jobB = await startImport(oneLine('Late,desk@x.example,press,DE'), deps);
    await runToDone(world, jobB.jobId, 0);

    // A's page 1: its line finds the outlet as it says (as B left it).
    await runToDone(world, jobA.jobId, 1);
    await expectDesk(world, 'Late', ['DE']);

    // The duplicate goes on now: its rows, had its attempt started, are written late.
    // A's last word for the address (and B's) is Late, DE: A's line 2 must not undo A's later line.
    await lateDuplicateLeaves(world, duplicate, 'Late', ['DE']);
  });
});
