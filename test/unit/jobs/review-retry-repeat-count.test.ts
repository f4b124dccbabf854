import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { type OutletRoutesDeps, startImport } from '#functions/management/outlets.ts';
import { rowsPerPage } from '#shared/db/jobs.ts';
import { jobWorld } from '#test/support/jobs.ts';

/**
 * docs/design.md#jobs: "A line that repeats an earlier line of the file finds its outlet as that line
 * left it, and counts as `unchanged`". The job's counts are those of the attempt that records each page,
 * so they must not depend on whether a page needed a retry.
 */
describe('an import whose file repeats on a later page a line of an earlier page', () => {
  it('counts the repeat as unchanged when the later page is recorded by its retry', async () => {
    const world = jobWorld();
    const deps: OutletRoutesDeps = {
      outlets: world.outlets,
      jobs: world.routes,
      now: () => world.clock.now,
      newOutletId: () => 'out-api',
    };
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
    const complete = world.store.completePage;
    world.store.completePage = async () => {
      world.store.completePage = complete;
      throw new Error('TransactionCanceledException: TransactionConflict');
    };
    const first = await runJobPage({ jobId: job.jobId, page: 1 }, world.runner).catch(
      (error: Error) => `threw: ${error.message}`,
    );
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
