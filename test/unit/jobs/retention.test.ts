import { describe, expect, it } from 'vitest';
import { describeJob } from '#functions/management/jobs.ts';
import { jobRetentionMs } from '#shared/db/job-keys.ts';
import { aStartedReplay } from '#test/support/jobs.ts';

/**
 * A job is kept 30 days (docs/design.md#jobs). DynamoDB deletes it late after that, and DynamoDB
 * Local never (docs/design.md#dynamodb-locally), so the store may still hold it: GET /jobs/{jobId}
 * must not tell whether the table got round to deleting it.
 */
describe('GET /jobs/{jobId} after the job is kept', () => {
  it('shows the job until its 30 days are over, and answers 404 once they are, though its item is still stored', async () => {
    const { world, job } = await aStartedReplay();
    await world.drain();
    const created = Date.parse(job.createdAt);

    world.clock.now = new Date(created + jobRetentionMs - 1_000);
    const lastDay = await describeJob(job.jobId, world.routes);
    world.clock.now = new Date(created + jobRetentionMs + 1_000);
    const after = describeJob(job.jobId, world.routes);

    expect(lastDay).toMatchObject({ jobId: job.jobId, status: 'done' });
    expect(await world.store.get(job.jobId)).toBeDefined();
    await expect(after).rejects.toMatchObject({ status: 404 });
  });
});
