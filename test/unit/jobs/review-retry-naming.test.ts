import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { type OutletRoutesDeps, startImport } from '#functions/management/outlets.ts';
import { jobWorld } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

/**
 * docs/design.md#jobs: an import names the outlets whose reach it changed, and an outlet found at the
 * job's time "is still named, as is every outlet found at the job's time, since naming an outlet due
 * nothing costs nothing" (a re-run no longer knows what the earlier attempt's write changed). A page's
 * first attempt whose recording failed wrote its rows; its Outlets Changed never landed, so the retry
 * must name them.
 */
describe('an import page re-run after an attempt that wrote its rows but could not record them', () => {
  it('names the outlet the first attempt moved to another territory, when a later line of the page only renames it', async () => {
    const world = jobWorld();
    const deps: OutletRoutesDeps = {
      outlets: world.outlets,
      jobs: world.routes,
      now: () => world.clock.now,
      newOutletId: () => 'out-existing',
    };
    await world.outlets.create(
      anOutletInput({ name: 'Old name', email: 'desk@x.example', territories: ['GB'] }),
      {
        id: 'out-existing',
        now: '2027-01-01T00:00:00.000Z',
      },
    );
    // Line 2 moves the outlet to FR (whom it reaches changes); line 3 then only renames it.
    const csv = [
      'name,email,kind,genres,territories',
      'Old name,desk@x.example,press,,FR',
      'New name,desk@x.example,press,,FR',
    ].join('\n');
    const job = await startImport(csv, deps);

    // The first attempt writes both rows, then its recording fails (a write that kept meeting conflicts).
    const complete = world.store.completePage;
    world.store.completePage = async () => {
      world.store.completePage = complete;
      throw new Error('TransactionCanceledException: TransactionConflict');
    };
    const first = await runJobPage({ jobId: job.jobId, page: 0 }, world.runner).catch(
      (error: Error) => `threw: ${error.message}`,
    );
    expect(first).toMatch(/threw/);
    expect((await world.outlets.findByEmail('desk@x.example'))?.territories).toEqual(['FR']);

    // Lambda's retry re-runs the page and records it.
    await runJobPage({ jobId: job.jobId, page: 0 }, world.runner);
    expect(await describeJob(job.jobId, world.routes)).toMatchObject({ status: 'done' });

    // The outlet now reaches FR and was never told of the releases FR is due: it must be named.
    const named = [...world.store.outbox, ...world.outlets.outbox.entries]
      .filter((e) => e.detailType === 'Outlets Changed')
      .flatMap((e) => (e.detail.data as { outletIds: string[] }).outletIds);
    expect(named).toContain('out-existing');
  });
});
