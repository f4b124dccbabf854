import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { replaceOutlet, startImport } from '#functions/management/outlets.ts';
import { rowsPerPage } from '#shared/db/jobs.ts';
import { anImportWorld, anUnrecordedAttempt, namedOutlets } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

/**
 * docs/design.md#jobs: an import names the outlets whose reach it changed (`Outlets Changed`, with the
 * page's completion), and an outlet found at the job's time "is still named, as is every outlet found at
 * the job's time, since naming an outlet due nothing costs nothing" (a re-run no longer knows what the
 * earlier attempt's write changed). A page's first attempt whose recording failed wrote its rows; its
 * Outlets Changed never landed, so the attempt that records the page must name what the earlier one
 * changed. The retry decides from the outlet as it finds it: one renamed through the API between the
 * attempts (a rename asks no mail) no longer shows that the first attempt moved it.
 */

/** An import world with one outlet, `out-existing` (desk@x.example), reaching GB. */
const withOutletInGB = async (name: string) => {
  const { world, deps } = anImportWorld('out-existing');
  await world.outlets.create(anOutletInput({ name, email: 'desk@x.example', territories: ['GB'] }), {
    id: 'out-existing',
    now: '2027-01-01T00:00:00.000Z',
  });
  return { world, deps };
};

describe('an import page re-run after an attempt that wrote its rows but could not record them', () => {
  it('names the outlet the first attempt moved to another territory, when a later line of the page only renames it', async () => {
    const { world, deps } = await withOutletInGB('Old name');
    // Line 2 moves the outlet to FR (whom it reaches changes); line 3 then only renames it.
    const csv = [
      'name,email,kind,genres,territories',
      'Old name,desk@x.example,press,,FR',
      'New name,desk@x.example,press,,FR',
    ].join('\n');
    const job = await startImport(csv, deps);

    // The first attempt writes both rows, then its recording fails.
    const first = await anUnrecordedAttempt(world, job.jobId, 0);
    expect(first).toMatch(/threw/);
    expect((await world.outlets.findByEmail('desk@x.example'))?.territories).toEqual(['FR']);

    // Lambda's retry re-runs the page and records it.
    await runJobPage({ jobId: job.jobId, page: 0 }, world.runner);
    expect(await describeJob(job.jobId, world.routes)).toMatchObject({ status: 'done' });

    // The outlet now reaches FR and was never told of the releases FR is due: it must be named.
    expect(namedOutlets(world)).toContain('out-existing');
  });
});

describe('an import page re-run after its first attempt moved an outlet, renamed through the API meanwhile', () => {
  it('names the outlet the first attempt moved to another territory', async () => {
    const { world, deps } = await withOutletInGB('Desk');
    const job = await startImport('name,email,kind,genres,territories\nDesk,desk@x.example,press,,FR', deps);

    // The first attempt moves the outlet to FR, then its recording fails.
    const first = await anUnrecordedAttempt(world, job.jobId, 0);
    expect(first).toMatch(/threw/);

    // Before Lambda's retry, the manager renames the outlet (its reach unchanged: no Outlets Changed).
    world.clock.now = new Date('2027-02-01T10:01:00Z');
    const outlet = (await world.outlets.findByEmail('desk@x.example'))!;
    await replaceOutlet(
      outlet.id,
      anOutletInput({
        name: 'The Desk',
        email: 'desk@x.example',
        kind: outlet.kind,
        genres: [],
        territories: ['FR'],
      }),
      deps,
    );

    // Lambda's retry re-runs the page and records it.
    await runJobPage({ jobId: job.jobId, page: 0 }, world.runner);
    expect(await describeJob(job.jobId, world.routes)).toMatchObject({ status: 'done' });
    expect((await world.outlets.findByEmail('desk@x.example'))?.territories).toEqual(['FR']);

    // The outlet reaches FR since the import and was never told of the releases FR is due.
    expect(namedOutlets(world)).toContain('out-existing');
  });
});

/**
 * docs/design.md#jobs: "A line that repeats an earlier line of the file finds its outlet as that line
 * left it, and counts as `unchanged`". The job's counts are those of the attempt that records each page,
 * so they must not depend on whether a page needed a retry.
 */
describe('an import whose file repeats on a later page a line of an earlier page', () => {
  it('counts the repeat as unchanged when the later page is recorded by its retry', async () => {
    const { world, deps } = anImportWorld();
    // Line 2 (page 0) and line 2 + rowsPerPage (page 1) are the same line.
    const filler = Array.from({ length: rowsPerPage - 1 }, (_, i) => `Outlet ${i},o${i}@x.example,press,GB`);
    const csv = [
      'name,email,kind,territories',
      'Twice,twice@x.example,press,GB',
      ...filler,
      'Twice,twice@x.example,press,GB',
    ].join('\n');
    const job = await startImport(csv, deps);
    await runJobPage({ jobId: job.jobId, page: 0 }, world.runner);

    // Page 1's first attempt writes nothing (its one line changes nothing), then its recording fails.
    const first = await anUnrecordedAttempt(world, job.jobId, 1);
    expect(first).toMatch(/threw/);
    // Lambda's retry re-runs page 1 and records it.
    await runJobPage({ jobId: job.jobId, page: 1 }, world.runner);

    // Every outlet was created by page 0; nothing was ever updated.
    expect(await describeJob(job.jobId, world.routes)).toMatchObject({
      status: 'done',
      progress: { done: rowsPerPage + 1, total: rowsPerPage + 1 },
      result: { created: rowsPerPage, updated: 0, rejectedCount: 0 },
    });
  });
});
