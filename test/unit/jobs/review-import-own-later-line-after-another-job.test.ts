import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { startImport } from '#functions/management/outlets.ts';
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
    // Job A, started first: line 2 (page 0) Early, FR; line 2 + rowsPerPage (page 1) Late, DE.
    const jobA = await startImport(earlyThenLate, deps);
    // A duplicate of page 0's event is delivered while its first run writes its rows.
    const { duplicate } = await aPageRunWithADuplicate(world, jobA.jobId, 0);

    // Job B, started a minute later, says Late, DE and runs before A's page 1.
    world.clock.now = new Date('2027-02-01T10:01:00Z');
    const jobB = await startImport(
      ['name,email,kind,territories', 'Late,desk@x.example,press,DE'].join('\n'),
      deps,
    );
    await runJobPage({ jobId: jobB.jobId, page: 0 }, world.runner);
    expect(await describeJob(jobB.jobId, world.routes)).toMatchObject({ status: 'done' });

    // A's page 1: its line finds the outlet as it says (as B left it).
    await runJobPage({ jobId: jobA.jobId, page: 1 }, world.runner);
    expect(await describeJob(jobA.jobId, world.routes)).toMatchObject({ status: 'done' });
    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });

    // The duplicate goes on now: its rows, had its attempt started, are written late.
    const late = await duplicate();

    // A's last word for the address (and B's) is Late, DE: A's line 2 must not undo A's later line.
    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });
    expect(late).toEqual({
      outcome: expect.stringMatching(/^threw: page 0 of job .* has an attempt running/),
      retried: { outcome: 'finished', page: 0 },
    });
  });
});
