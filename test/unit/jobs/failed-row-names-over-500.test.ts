import { describe, expect, it } from 'vitest';
import { importedOutletId } from '#functions/jobs/outlet-import.ts';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { startImport } from '#functions/management/outlets.ts';
import { maxChangedOutlets } from '#shared/events/outlets-changed.ts';
import { anImportWorld } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

/**
 * docs/design.md#jobs: a row that could not be saved names two outlets (the one its line would create, and
 * the one holding its address), and an `Outlets Changed` names at most `maxChangedOutlets` (500), so a page
 * naming more holds as many as it takes. A full page of 500 rows moving 500 existing outlets from GB to FR
 * (each named: whom it reaches changed), one of whose writes times out, names 499 + 2 = 501: the page is
 * recorded, the row rejected, and every outlet named, none of the events over 500.
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
    const named = world.store.outbox
      .filter((entry) => entry.detailType === 'Outlets Changed')
      .map((entry) => (entry.detail.data as { outletIds: string[] }).outletIds);
    expect(named.map((ids) => ids.length <= maxChangedOutlets)).toEqual([true, true]);
    expect(new Set(named.flat())).toEqual(
      new Set([
        ...Array.from({ length: 500 }, (_, n) => `out-existing-${n}`),
        importedOutletId(job.jobId, 252),
      ]),
    );
  });
});
