import { describe, expect, it } from 'vitest';
import { describeJob } from '#functions/management/jobs.ts';
import { startImport } from '#functions/management/outlets.ts';
import { anImportWorld } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

/**
 * A spreadsheet saved as CSV writes a row it once used and that was cleared as a line of bare
 * separators (`,,,,`), often dozens at the end of the sheet. The import skips an empty line
 * (shared/outlet-csv.ts: blank lines are no rows); an empty row of the sheet is the same thing.
 */
describe('an import from a spreadsheet whose cleared rows are saved as bare separators', () => {
  it('skips those rows as it skips empty lines, rather than listing each as a rejected row', async () => {
    const { world, deps } = anImportWorld();
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

/**
 * docs/design.md#jobs: "A row that describes its outlet as it is writes nothing and counts as
 * `unchanged` ..., and as `updated` on a re-run of the import that changed it." A media list merged
 * from two sources repeats lines; a repeated line describes the outlet exactly as the line before it
 * left it, in the same run.
 */
function importing() {
  const { world, deps } = anImportWorld('out-existing');
  const run = async (csv: string) => {
    const job = await startImport(csv, deps);
    await world.drain();
    return describeJob(job.jobId, world.routes);
  };
  return { world, run };
}

describe('an import whose file repeats a line', () => {
  it('counts the repeat, which changes nothing, as unchanged rather than as a second update', async () => {
    const { world, run } = importing();
    await world.outlets.create(anOutletInput({ name: 'Old name', email: 'old@x.example' }), {
      id: 'out-existing',
      now: '2027-01-01T00:00:00.000Z',
    });
    const csv = [
      'name,email,kind,genres,territories',
      'New,new@x.example,press,techno,GB',
      'Renamed,old@x.example,radio,jazz,GB',
      'New,new@x.example,press,techno,GB',
      'Renamed,old@x.example,radio,jazz,GB',
    ].join('\n');

    const job = await run(csv);

    // One outlet created, one updated; the two repeated lines change nothing.
    expect(job).toMatchObject({
      status: 'done',
      progress: { done: 4, total: 4 },
      result: { created: 1, updated: 1, rejectedCount: 0 },
    });
  });
});

/**
 * docs/design.md#jobs: "A row that describes its outlet as it is writes nothing ... and counts as
 * `unchanged`". The job keeps that count with the others, and `GET /jobs/{jobId}` answers it, so the
 * manager who imports the same sheet again reads that it changed nothing.
 */
describe('an import of a file that was imported before', () => {
  it('answers the rows that changed nothing as unchanged', async () => {
    const { run } = importing();
    const csv = [
      'name,email,kind,genres,territories',
      'Radio One,one@x.example,radio,jazz,GB',
      'Press Two,two@x.example,press,techno,GB',
    ].join('\n');
    await run(csv);

    const again = await run(csv);

    expect(again).toMatchObject({
      status: 'done',
      result: { created: 0, updated: 0, unchanged: 2, rejectedCount: 0 },
    });
  });
});
