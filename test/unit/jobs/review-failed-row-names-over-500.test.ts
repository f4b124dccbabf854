import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { startImport } from '#functions/management/outlets.ts';
import { anImportWorld } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

/**
 * Review of ce881bd. docs/design.md#jobs: an import page's completion holds one `Outlets Changed`, and a
 * row that could not be saved names two outlets (the one its line would create, and the one holding its
 * address). An `Outlets Changed` names at most `maxChangedOutlets` (500, "an import page holds at most 500
 * rows"), which held while each row named one outlet. A full page of 500 rows moving 500 existing outlets
 * from GB to FR (each named: whom it reaches changed), one of whose writes times out, names 499 + 2 = 501:
 * building the event throws, the attempt fails though its work is done, and every attempt that meets one
 * such row fails the same way (the third fails the job).
 */
describe('a full import page (500 rows) one of whose row writes could not be saved', () => {
  it('records the page, the row rejected, instead of failing the attempt on a 501-outlet Outlets Changed', async () => {
    const { world, deps } = anImportWorld();
    const lines = ['name,email,kind,territories'];
    for (let n = 0; n < 500; n++) {
      const email = `desk${n}@x.example`;
      await world.outlets.create(anOutletInput({ email, territories: ['GB'] }), {
        id: `out-existing-${n}`,
        now: '2027-01-01T00:00:00.000Z',
      });
      lines.push(`Desk ${n},${email},press,FR`);
    }
    const job = await startImport(lines.join('\n'), deps);
    expect(world.store.chunks.get(`${job.jobId}/0`)?.rows).toBe(500);

    // The table is slow for one row: the SDK's tries of its write are all given up (nothing applied).
    const upsert = world.outlets.upsertByEmail.bind(world.outlets);
    world.outlets.upsertByEmail = async (input, meta) => {
      if (input.email !== 'desk250@x.example') return upsert(input, meta);
      const timeout = new Error('Request did not complete within 3000 ms');
      timeout.name = 'TimeoutError';
      throw timeout;
    };

    const outcome = await runJobPage(
      { jobId: job.jobId, page: 0, owner: 'invocation-1' },
      world.runner,
    ).catch((error: Error) => `threw: ${error.message.replace(/\s+/g, ' ').slice(0, 90)}`);
    const shown = await describeJob(job.jobId, world.routes);

    expect({ outcome, status: shown.status }).toEqual({
      outcome: { outcome: 'done', page: 0 },
      status: 'done',
    });
    expect(world.store.jobs.get(job.jobId)?.counts).toMatchObject({ updated: 499, rejected: 1 });
  });
});
