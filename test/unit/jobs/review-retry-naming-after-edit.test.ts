import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { type OutletRoutesDeps, replaceOutlet, startImport } from '#functions/management/outlets.ts';
import { jobWorld } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

/**
 * docs/design.md#jobs: an import names the outlets whose reach it changed (`Outlets Changed`, with the
 * page's completion), and an attempt that could not record its page records nothing, so the attempt
 * that records the page must name what the earlier one changed. The retry decides from the outlet as it
 * finds it: one renamed through the API between the attempts (a rename asks no mail) no longer shows
 * that the first attempt moved it.
 */
describe('an import page re-run after its first attempt moved an outlet, renamed through the API meanwhile', () => {
  it('names the outlet the first attempt moved to another territory', async () => {
    const world = jobWorld();
    const deps: OutletRoutesDeps = {
      outlets: world.outlets,
      jobs: world.routes,
      now: () => world.clock.now,
      newOutletId: () => 'out-existing',
    };
    await world.outlets.create(
      anOutletInput({ name: 'Desk', email: 'desk@x.example', territories: ['GB'] }),
      {
        id: 'out-existing',
        now: '2027-01-01T00:00:00.000Z',
      },
    );
    const job = await startImport('name,email,kind,genres,territories\nDesk,desk@x.example,press,,FR', deps);

    // The first attempt moves the outlet to FR, then its recording fails (a write that kept meeting conflicts).
    const complete = world.store.completePage;
    world.store.completePage = async () => {
      world.store.completePage = complete;
      throw new Error('TransactionCanceledException: TransactionConflict');
    };
    const first = await runJobPage({ jobId: job.jobId, page: 0 }, world.runner).catch(
      (error: Error) => `threw: ${error.message}`,
    );
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
    const named = [...world.store.outbox, ...world.outlets.outbox.entries]
      .filter((e) => e.detailType === 'Outlets Changed')
      .flatMap((e) => (e.detail.data as { outletIds: string[] }).outletIds);
    expect(named).toContain('out-existing');
  });
});
