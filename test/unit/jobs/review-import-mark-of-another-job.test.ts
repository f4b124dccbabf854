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
    // Job A, started first (a long import: its row for the address runs after job B's pages), says Late, DE.
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
    await runJobPage({ jobId: jobB.jobId, page: 1 }, world.runner);
    expect(await describeJob(jobB.jobId, world.routes)).toMatchObject({ status: 'done' });
    // Job A's row finds the outlet as it says, as job B's line 502 left it.
    await runJobPage({ jobId: jobA.jobId, page: 0 }, world.runner);
    expect(await describeJob(jobA.jobId, world.routes)).toMatchObject({ status: 'done' });
    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });

    // A duplicate of job B's page 0, counted while page 0 was still B's next, writes its rows now.
    await importPage((await world.store.get(jobB.jobId))!, 0, world.runner, {
      number: 2,
      fence: new WriteFence(),
    });

    // Both jobs' last word for the address is Late, DE; job B's line 2 must not undo its line 502.
    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });
  });
});
