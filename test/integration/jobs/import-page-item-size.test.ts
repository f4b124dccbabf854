import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { jobPageKey } from '#shared/db/job-keys.ts';
import { dynamoJobStore } from '#shared/db/jobs.ts';
import { JobRequested } from '#shared/events/job-requested.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import { cloud, documentClient } from '#test/support/cloud.ts';
import { theFullestImportPage } from '#test/support/jobs.ts';

/**
 * docs/design.md#jobs: an import page's item (its rejected rows and notes) stays within DynamoDB's 400 KB
 * an item, which DynamoDB Local enforces as DynamoDB does: the fullest page is recorded, not refused.
 */
describe('the fullest outlet import page, on DynamoDB Local', () => {
  it('is recorded with its rejected rows and notes, its item within 400 KB', async () => {
    const { job, page, completion } = await theFullestImportPage();
    const stored = { ...job, jobId: `job-${crypto.randomUUID()}` };
    const store = dynamoJobStore(documentClient(), cloud().tableName);
    // Its Job Requested names another job: the jobs function leaves this one to the test.
    await store.create(
      stored,
      [],
      outboxEntry(JobRequested, { jobId: `job-${crypto.randomUUID()}`, kind: 'outlet-import' }),
    );

    const recorded = await store.completePage(stored, page, { ...completion, events: [] });

    const { Item } = await documentClient().send(
      new GetCommand({ TableName: cloud().tableName, Key: jobPageKey(stored.jobId, page) }),
    );
    expect(recorded).toBe(true);
    expect([Item?.rejected.length, Item?.repeated.length, Item?.optedOut.length]).toEqual([500, 100, 200]);
  });
});
