import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
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

  // A plain write on the job's item, refused while a transaction recording the page holds it.
  const heldByATransaction = () =>
    Object.assign(new Error('Transaction is ongoing for the item'), { name: 'TransactionConflictException' });

  it('counts an attempt whose update met a transaction on the job (TransactionConflictException), instead of throwing the conflict', async () => {
    documents
      .on(UpdateCommand)
      .rejectsOnce(heldByATransaction())
      .resolves({ Attributes: { attempts: 1 } });

    const attempt = await store().startAttempt('job-1', 0, '2027-03-05T12:00:01.000Z');

    expect(attempt).toBe(1);
    expect(documents.commandCalls(UpdateCommand)).toHaveLength(2);
  });

  it("records a page's failure whose write met a transaction on the job, so the conflict does not replace the failure", async () => {
    documents.on(UpdateCommand).rejectsOnce(heldByATransaction()).resolves({});

    await store().recordFailure('job-1', 0, 'the outlet directory timed out', '2027-03-05T12:00:02.000Z');

    expect(documents.commandCalls(UpdateCommand)).toHaveLength(2);
    expect(documents.commandCalls(UpdateCommand)[1]!.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':error': 'the outlet directory timed out',
    });
  });

  it('fails a job whose failing write met a transaction on the job, instead of leaving it running', async () => {
    documents.on(UpdateCommand).rejectsOnce(heldByATransaction()).resolves({});

    await store().fail('job-1', 0, 'page 0 failed 3 times', '2027-03-05T12:00:03.000Z');

    expect(documents.commandCalls(UpdateCommand)).toHaveLength(2);
  });

  // docs/design.md#jobs: the same start sent again by the SDK (its answer lost) is refused by the lease it
  // took, and the read that follows finds the start's own id on it (`attemptStart`) and answers the
  // attempt it counted; a second delivery of the invocation (same owner), even in the same millisecond,
  // carries an id of its own and is refused (the jobs contract, on both stores).
  it('answers the attempt it counted to a start applied whose answer was lost, the SDK sending it again', async () => {
    const at = '2027-03-05T12:00:05.000Z';
    let applied: Record<string, unknown> = {};
    // The first try applied (its answer lost); the SDK's next try is refused by the lease it took.
    documents.on(UpdateCommand).callsFake((input) => {
      const values = input.ExpressionAttributeValues;
      applied = {
        attempts: 1,
        attemptLiveUntil: values[':until'],
        attemptOwner: values[':owner'],
        attemptStart: values[':start'],
      };
      throw Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
      });
    });
    documents.on(GetCommand).callsFake(() => ({
      Item: { pk: 'JOB#job-1', sk: 'JOB', jobId: 'job-1', status: 'running', pagesDone: 0, ...applied },
    }));

    const attempt = await store().startAttempt('job-1', 0, at, 'request-1');

    expect(attempt).toBe(1);
  });

  // docs/design.md#jobs: a start refused by another invocation's live lease counts nothing and throws, so
  // Lambda retries it. The store reads the job after a refusal to tell which condition refused it; the
  // first run's attempt may fail and give its lease up (recordFailure removes it) between the refusal and
  // that read. Answered 0 (the page recorded), runJobPage would answer 'recorded-before', the invocation
  // succeed and Lambda not retry it, though page 0 is still the job's next and the job runs.
  it('throws AttemptLiveError for a start refused by a lease given up before the refusal is read, not 0 (the page recorded)', async () => {
    documents.on(UpdateCommand).rejects(
      Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
      }),
    );
    // Read after the refusal: page 0 still the job's next, the job running, the first run's lease given up.
    documents.on(GetCommand).resolves({
      Item: {
        pk: 'JOB#job-1',
        sk: 'JOB',
        jobId: 'job-1',
        status: 'running',
        pagesDone: 0,
        attempts: 1,
        lastError: 'lease not renewed: TimeoutError',
      },
    });

    const answer = await store()
      .startAttempt('job-1', 0, '2027-03-05T12:00:05.000Z', 'request-2')
      .catch((error: Error) => error.name);

    expect(answer).toBe('AttemptLiveError');
  });
});
