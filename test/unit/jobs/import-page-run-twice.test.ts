import { describe, expect, it } from 'vitest';
import { importPage } from '#functions/jobs/outlet-import.ts';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { startImport } from '#functions/management/outlets.ts';
import { rowsPerPage } from '#shared/db/jobs.ts';
import { WriteFence } from '#shared/db/write-fence.ts';
import { anImportWorld } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

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
    await world.outlets.create(
      anOutletInput({ name: 'Desk', email: 'desk@x.example', territories: ['GB'] }),
      {
        id: 'out-existing',
        now: '2027-01-01T00:00:00.000Z',
      },
    );
    // Line 2 (page 0) moves the outlet to FR; line 2 + rowsPerPage (page 1) then moves it to DE.
    const filler = Array.from({ length: rowsPerPage - 1 }, (_, i) => `Outlet ${i},o${i}@x.example,press,GB`);
    const csv = [
      'name,email,kind,territories',
      'Early,desk@x.example,press,FR',
      ...filler,
      'Late,desk@x.example,press,DE',
    ].join('\n');
    const job = await startImport(csv, deps);

    // The first run does page 0, then page 1: the outlet is as the file's last line for it says.
    await runJobPage({ jobId: job.jobId, page: 0 }, world.runner);
    await runJobPage({ jobId: job.jobId, page: 1 }, world.runner);
    expect(await describeJob(job.jobId, world.routes)).toMatchObject({ status: 'done' });
    const late = await world.outlets.get('out-existing');
    expect(late).toMatchObject({ name: 'Late', territories: ['DE'] });

    // The duplicate, its attempt at page 0 counted while page 0 was still the job's next, writes its rows now.
    const duplicate = await importPage((await world.store.get(job.jobId))!, 0, world.runner, {
      number: 2,
      fence: new WriteFence(),
    });

    expect(await world.outlets.get('out-existing')).toEqual(late);
    // Its line 2 found the outlet as line 2 + rowsPerPage left it: it updated nothing.
    expect(duplicate).toMatchObject({
      counts: { created: rowsPerPage - 1, updated: 0, unchanged: 1, rejected: 0 },
    });
  });
});
