import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { startImport } from '#functions/management/outlets.ts';
import { anImportWorld, aPageRunWithADuplicate } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

/**
 * docs/design.md#jobs: "A page re-run after a crash, or run twice by a duplicate event, finds its
 * completion recorded and stops; its work is written so that doing it again changes nothing", and
 * "An outlet the API edited since, or another job wrote last, is written as before" (imports are last
 * writer wins, in the order their lines run). A duplicate `Job Page Due` whose attempt was counted while
 * the page was still the job's next writes its rows after the first run has recorded the page: each row
 * is a line that already ran, and writing it again must change nothing. Where another import has
 * written the outlet since (a later import of a corrected file, here), the duplicate's row finds that
 * job's mark, not its own, and writes its stale line over it: the manager's newer import is undone
 * for that address, with no error anywhere, while both jobs show `done`. One attempt at a page runs at a
 * time (its lease): the duplicate delivered while the first run works is refused, and Lambda's retry of
 * it finds the page recorded.
 */
describe("a duplicate run of an import's page, another import having written the outlet since", () => {
  it('leaves the outlet as the later import left it', async () => {
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
    // Job B: one page, its line 2 says Early, FR.
    const jobB = await startImport(
      ['name,email,kind,territories', 'Early,desk@x.example,press,FR'].join('\n'),
      deps,
    );
    // The first run of B's page 0, a duplicate of its event delivered while it writes its rows.
    const { duplicate } = await aPageRunWithADuplicate(world, jobB.jobId, 0);
    expect(await describeJob(jobB.jobId, world.routes)).toMatchObject({ status: 'done' });

    // The manager then imports a corrected file (job C): the outlet is Late, DE.
    world.clock.now = new Date('2027-02-01T10:05:00Z');
    const jobC = await startImport(
      ['name,email,kind,territories', 'Late,desk@x.example,press,DE'].join('\n'),
      deps,
    );
    await runJobPage({ jobId: jobC.jobId, page: 0 }, world.runner);
    expect(await describeJob(jobC.jobId, world.routes)).toMatchObject({ status: 'done' });
    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });

    // The duplicate of B's page 0 goes on now: its rows, had its attempt started, are written late.
    const late = await duplicate();

    // B's line 2 already ran (before job C); running it again must change nothing.
    expect(await world.outlets.get('out-existing')).toMatchObject({ name: 'Late', territories: ['DE'] });
    expect(late).toEqual({
      outcome: expect.stringMatching(/^threw: page 0 of job .* has an attempt running/),
      retried: { outcome: 'finished', page: 0 },
    });
  });
});
