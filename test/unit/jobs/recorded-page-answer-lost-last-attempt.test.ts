import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { startImport } from '#functions/management/outlets.ts';
import { anImportWorld } from '#test/support/jobs.ts';

/**
 * docs/design.md#jobs: the jobs function's DynamoDB client gives up a try not answered within 3 s and
 * the SDK tries it again; a write DynamoDB applied may so be answered as failed (every try given up, the
 * first applied). The page's third attempt records the page (its completion and the next page's `Job
 * Page Due` applied) but is answered TimeoutError: its failure's record is refused (the page is no longer
 * the job's next), and the attempt fails the job anyway ("page 0 failed 3 times"), since the job's
 * failure is conditional only on the job running, not on the page still being its next: an import whose
 * first page is recorded and whose second is due is shown failed at the page it finished.
 */
describe("an import page's last attempt whose recording of the page was applied and answered as failed", () => {
  it('leaves the job running on to its next page', async () => {
    const { world, deps } = anImportWorld();
    const lines = Array.from({ length: 501 }, (_, i) => `Outlet ${i},o${i}@x.example,press,GB`);
    const job = await startImport(['name,email,kind,territories', ...lines].join('\n'), deps);
    const complete = world.store.completePage.bind(world.store);
    let recordings = 0;
    world.store.completePage = async (...args) => {
      recordings++;
      // The first two attempts' recordings never reached the table (the tries given up unsent).
      if (recordings < 3) throw new Error('TimeoutError: Request did not complete within 3000 ms');
      // The third's was applied; every try's answer given up after 3 s.
      await complete(...args);
      throw new Error('TimeoutError: Request did not complete within 3000 ms');
    };

    for (let attempt = 0; attempt < 3; attempt++)
      await runJobPage({ jobId: job.jobId, page: 0 }, world.runner).catch(() => undefined);

    // The page is recorded: its completion and the next page's event were written.
    expect(await world.store.get(job.jobId)).toMatchObject({ pagesDone: 1 });
    expect(await describeJob(job.jobId, world.routes)).toMatchObject({ status: 'running' });
  });
});
