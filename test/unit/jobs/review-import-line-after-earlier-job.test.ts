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
 * docs/design.md#jobs: a line that finds its outlet as it says, marked by no line of its job and
 * "changed at or after the job's time (... an edit through the API, or another job, while this one
 * ran), records itself all the same", so that a duplicate run of an earlier page does not undo the
 * file's last line for the address. But an import's write sets `updatedAt` to its own job's
 * `createdAt`, not the time it is made: another job started before this one, writing while this one
 * runs, leaves an `updatedAt` before this job's time, the line records nothing, and the duplicate's
 * earlier line finds no mark of its job and writes.
 */
describe('an import line finding its outlet as it says, written meanwhile by a job started before it', () => {
  it("records itself, so a duplicate of an earlier page does not undo the file's later line", async () => {
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
    // Job A, started first (a long import still running), says Late, DE for the address.
    const jobA = await startImport(
      ['name,email,kind,territories', 'Late,desk@x.example,press,DE'].join('\n'),
      deps,
    );
    // Job B, started a minute later: line 2 (page 0) says Early, FR; line 2 + rowsPerPage (page 1) Late, DE.
    world.clock.now = new Date('2027-02-01T10:01:00Z');
    const filler = Array.from({ length: rowsPerPage - 1 }, (_, i) => `Outlet ${i},o${i}@x.example,press,GB`);
    const jobB = await startImport(
      [
        'name,email,kind,territories',
        'Early,desk@x.example,press,FR',
        ...filler,
        'Late,desk@x.example,press,DE',
      ].join('\n'),
      deps,
    );

    await runJobPage({ jobId: jobB.jobId, page: 0 }, world.runner);
    // While job B runs, job A's row for the address lands (Late, DE, at job A's time).
    await runJobPage({ jobId: jobA.jobId, page: 0 }, world.runner);
    // Job B's line 502 finds the outlet as it says.
    await runJobPage({ jobId: jobB.jobId, page: 1 }, world.runner);
    expect(await describeJob(jobB.jobId, world.routes)).toMatchObject({ status: 'done' });
    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });

    // A duplicate of job B's page 0, counted while page 0 was still B's next, writes its rows now.
    await importPage((await world.store.get(jobB.jobId))!, 0, world.runner, {
      number: 2,
      fence: new WriteFence(),
    });

    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });
  });
});
