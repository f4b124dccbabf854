import { describe, expect, it } from 'vitest';
import { describeJob } from '#functions/management/jobs.ts';
import { type OutletRoutesDeps, startImport } from '#functions/management/outlets.ts';
import { jobWorld } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

/**
 * docs/design.md#jobs: "A row that describes its outlet as it is writes nothing and counts as
 * `unchanged` ..., and as `updated` on a re-run of the import that changed it." A media list merged
 * from two sources repeats lines; a repeated line describes the outlet exactly as the line before it
 * left it, in the same run.
 */
function importing() {
  const world = jobWorld();
  const deps: OutletRoutesDeps = {
    outlets: world.outlets,
    jobs: world.routes,
    now: () => world.clock.now,
    newOutletId: () => 'out-existing',
  };
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
