import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { type OutletRoutesDeps, startImport } from '#functions/management/outlets.ts';
import { jobWorld } from '#test/support/jobs.ts';

/**
 * docs/design.md#jobs: work not finished by the deadline "is left behind (what it writes later is what a
 * re-run writes; its completion is refused once the job has failed)", and a page that fails for good
 * has its failure name "every outlet that holds one of the page's addresses then", since importing the
 * file again "finds its rows written and names none of them". Work left behind by the last attempt
 * writes after that failure was recorded, so what it writes is named by nobody.
 */

function importing() {
  const world = jobWorld();
  const deps: OutletRoutesDeps = {
    outlets: world.outlets,
    jobs: world.routes,
    now: () => world.clock.now,
    newOutletId: () => 'out-api',
  };
  /** Holds every upsert of the import until `release` (a slow table: the attempt's work outlives its deadline). */
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const upsert = world.outlets.upsertByEmail.bind(world.outlets);
  const hold = () => {
    world.outlets.upsertByEmail = async (...args) => {
      await held;
      return upsert(...args);
    };
  };
  const stopHolding = () => {
    world.outlets.upsertByEmail = upsert;
  };
  const named = () =>
    [...world.store.outbox, ...world.outlets.outbox.entries]
      .filter((e) => e.detailType === 'Outlets Changed')
      .flatMap((e) => (e.detail.data as { outletIds: string[] }).outletIds);
  return { world, deps, hold, stopHolding, release, named };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('an import page whose last attempt ran out of time, its work still going', () => {
  it('names the outlet that work creates after the job failed, at the latest when the manager imports the file again', async () => {
    const { world, deps, hold, stopHolding, release, named } = importing();
    const csv = 'name,email,kind,genres,territories\nNew,new@x.example,press,techno,GB\n';
    const first = await startImport(csv, deps);
    hold();
    // Three attempts, each stopped at its deadline (here: at once) while its row is still being written.
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      outcomes.push(
        await runJobPage(
          { jobId: first.jobId, page: 0, deadline: world.clock.now.getTime() },
          world.runner,
        ).then(
          (outcome) => outcome.outcome,
          (error: Error) => `threw: ${error.message}`,
        ),
      );
    }
    expect(outcomes).toEqual([
      expect.stringMatching(/timed out/),
      expect.stringMatching(/timed out/),
      'failed',
    ]);
    expect(await describeJob(first.jobId, world.routes)).toMatchObject({ status: 'failed' });

    // The left-behind work goes on (the next invocation in the same environment thaws it): its attempt
    // has ended, so it writes nothing (docs/design.md#jobs), and no outlet escapes the failure's names.
    stopHolding();
    release();
    await settle();
    expect(await world.outlets.findByEmail('new@x.example')).toBeUndefined();

    // The manager sees the job failed and imports the same file again, as docs/design.md#jobs says to.
    world.clock.now = new Date('2027-02-01T11:00:00Z');
    const again = await startImport(csv, deps);
    await world.drain();
    expect(await describeJob(again.jobId, world.routes)).toMatchObject({ status: 'done' });

    // The outlet on the address is named by an Outlets Changed: it hears of the releases announced before it.
    const written = await world.outlets.findByEmail('new@x.example');
    expect(named()).toContain(written!.id);
  });
});
