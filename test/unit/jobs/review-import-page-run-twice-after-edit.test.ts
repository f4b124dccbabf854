import { describe, expect, it } from 'vitest';
import { importPage } from '#functions/jobs/outlet-import.ts';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { replaceOutlet, startImport } from '#functions/management/outlets.ts';
import { rowsPerPage } from '#shared/db/jobs.ts';
import { WriteFence } from '#shared/db/write-fence.ts';
import { anImportWorld } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

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
    // Line 2 (page 0) moves the outlet to FR; line 2 + rowsPerPage (page 1) then says Late, DE.
    const filler = Array.from({ length: rowsPerPage - 1 }, (_, i) => `Outlet ${i},o${i}@x.example,press,GB`);
    const csv = [
      'name,email,kind,territories',
      'Early,desk@x.example,press,FR',
      ...filler,
      'Late,desk@x.example,press,DE',
    ].join('\n');
    const job = await startImport(csv, deps);

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
    await importPage((await world.store.get(job.jobId))!, 0, world.runner, {
      number: 2,
      fence: new WriteFence(),
    });

    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });
  });
});
