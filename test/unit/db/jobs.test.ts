import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoJobStore, type PageCompletion } from '#shared/db/jobs.ts';
import { transactionCancelled } from '#test/support/dynamo-errors.ts';

const documents = mockClient(DynamoDBDocumentClient);
const store = () => dynamoJobStore(documents as unknown as DynamoDBDocumentClient, 't');

beforeEach(() => documents.reset());

const job = { jobId: 'job-1', createdAt: '2027-03-05T12:00:00.000Z' };
const completion: PageCompletion = {
  rows: 10,
  counts: { created: 10 },
  rejected: [],
  last: true,
  at: '2027-03-05T12:00:05.000Z',
};

describe('the job store on DynamoDB', () => {
  it('records a page whose transaction a concurrent write cancelled (TransactionConflict), instead of failing the page', async () => {
    documents
      .on(TransactWriteCommand)
      .rejectsOnce(transactionCancelled(['TransactionConflict']))
      .resolves({});

    const recorded = await store().completePage(job, 0, completion);

    expect(recorded).toBe(true);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('still answers a page recorded before as not recorded, trying nothing again', async () => {
    documents.on(TransactWriteCommand).rejects(transactionCancelled(['ConditionalCheckFailed']));

    const recorded = await store().completePage(job, 0, completion);

    expect(recorded).toBe(false);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});
