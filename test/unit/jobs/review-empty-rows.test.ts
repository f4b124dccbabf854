import { describe, expect, it } from 'vitest';
import { describeJob } from '#functions/management/jobs.ts';
import { type OutletRoutesDeps, startImport } from '#functions/management/outlets.ts';
import { jobWorld } from '#test/support/jobs.ts';

/**
 * A spreadsheet saved as CSV writes a row it once used and that was cleared as a line of bare
 * separators (`,,,,`), often dozens at the end of the sheet. The import skips an empty line
 * (shared/outlet-csv.ts: blank lines are no rows); an empty row of the sheet is the same thing.
 */
describe('an import from a spreadsheet whose cleared rows are saved as bare separators', () => {
  it('skips those rows as it skips empty lines, rather than listing each as a rejected row', async () => {
    const world = jobWorld();
    const deps: OutletRoutesDeps = {
      outlets: world.outlets,
      jobs: world.routes,
      now: () => world.clock.now,
      newOutletId: () => 'out-api',
    };
    const csv = [
      'name,email,kind,genres,territories',
      'Radio One,one@x.example,radio,jazz,GB',
      'Broken,not-an-address,press,,GB',
      ',,,,',
      ' , , , , ',
      ',,,,',
      '',
    ].join('\r\n');

    const job = await startImport(csv, deps);
    await world.drain();

    // The one row that is wrong is the one listed; the sheet's empty rows are not the manager's errors.
    expect(await describeJob(job.jobId, world.routes)).toMatchObject({
      status: 'done',
      result: {
        created: 1,
        rejectedCount: 1,
        rejected: [{ line: 3, error: expect.stringMatching(/^email/) }],
      },
    });
  });
});
