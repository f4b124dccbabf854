import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { replaceOutlet, startImport } from '#functions/management/outlets.ts';
import { rowsPerPage } from '#shared/db/jobs.ts';
import { anImportWorld, aPageRunWithADuplicate } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

/** Line 2 (page 0) says Early, FR; line 2 + rowsPerPage (page 1) then says Late, DE (rows between: other outlets). */
const earlyThenLate = [
  'name,email,kind,territories',
  'Early,desk@x.example,press,FR',
  ...Array.from({ length: rowsPerPage - 1 }, (_, i) => `Outlet ${i},o${i}@x.example,press,GB`),
  'Late,desk@x.example,press,DE',
].join('\n');

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
    const { world, deps } = anImportWorld();
    await world.outlets.create(
      anOutletInput({
        name: 'Desk',
        email: 'desk@x.example',
        kind: 'press',
        genres: [],
        territories: ['GB'],
      }),
      { id: 'out-existing', now: '2027-01-01T00:00:00.000Z' },
    );
    const job = await startImport(earlyThenLate, deps);

    // The first run does page 0 then page 1: the file's later line leaves the outlet Late, DE.
    // A duplicate of page 0's event is delivered while its first run writes its rows.
    const { duplicate } = await aPageRunWithADuplicate(world, job.jobId, 0);
    await runJobPage({ jobId: job.jobId, page: 1 }, world.runner);
    expect(await describeJob(job.jobId, world.routes)).toMatchObject({ status: 'done' });
    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });

    // The manager then renames the outlet and moves it to IT through the API.
    world.clock.now = new Date('2027-02-01T10:05:00Z');
    await replaceOutlet(
      'out-existing',
      anOutletInput({
        name: 'Edited',
        email: 'desk@x.example',
        kind: 'press',
        genres: [],
        territories: ['IT'],
      }),
      deps,
    );
    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Edited', territories: ['IT'] });

    // The duplicate goes on now: its rows, had its attempt started, are written late.
    const late = await duplicate();

    // Line 2 ran before the file's later line, which ran before the edit: the edit stands.
    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Edited', territories: ['IT'] });
    expect(late).toEqual({
      outcome: expect.stringMatching(/^threw: page 0 of job .* has an attempt running/),
      retried: { outcome: 'finished', page: 0 },
    });
  });
});
