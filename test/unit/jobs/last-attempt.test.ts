import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { WriteConflictError } from '#shared/db/conflicts.ts';
import { aStartedReplay } from '#test/support/jobs.ts';

/**
 * docs/design.md#jobs: "The last attempt's failure fails the job, with the reason". An attempt whose
 * work finished but whose recording (completePage) threw, here a write that kept meeting concurrent
 * writes (WriteConflictError), is a failure the attempt could record; it is not one "stopped
 * before it could record its failure".
 */
describe('a page whose three attempts fail while recording the page', () => {
  it('fails the job with the reason on the third attempt instead of leaving it running', async () => {
    const { world, job } = await aStartedReplay();
    world.webhooks.receivedBetween = async () => ({ items: [] });
    world.store.completePage = async () => {
      throw new WriteConflictError(5, new Error('TransactionCanceledException'));
    };

    const attempts: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      attempts.push(
        await runJobPage({ jobId: job.jobId, page: 0 }, world.runner).then(
          (outcome) => outcome.outcome,
          (error: Error) => `threw: ${error.message}`,
        ),
      );
    }
    const shown = await describeJob(job.jobId, world.routes);

    // Lambda has no fourth attempt: whatever the third answers, the job must not stay `running`.
    expect(shown).toMatchObject({ status: 'failed', error: expect.stringMatching(/concurrent writes/) });
    expect(attempts).toHaveLength(3);
  });
});
