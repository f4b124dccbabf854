import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoJobStore } from '#shared/db/jobs.ts';

const documents = mockClient(DynamoDBDocumentClient);
const store = () => dynamoJobStore(documents as unknown as DynamoDBDocumentClient, 't');

beforeEach(() => documents.reset());

/**
 * docs/design.md#jobs: "A start refused by another invocation's live lease (a duplicate event delivered
 * while the first run works) counts nothing and throws, so Lambda retries the event later"; JobStore's
 * startAttempt answers 0 only "when `page` is not the job's next page (recorded before, or one ahead) or
 * the job is finished". The DynamoDB store reads the job after a refused start to tell which condition
 * refused it, and answers 0 when it finds no lease. The first run's attempt may fail and give its lease up
 * (recordFailure removes it) between the refusal and that read: the duplicate is then answered 0, and
 * runJobPage takes the page for recorded ('recorded-before'), the invocation succeeds and Lambda does not
 * retry it, though page 0 is the job's next page and the job runs. Where the first run's invocation has
 * no retry left, the job waits `running` for a redrive that the duplicate's retry would have spared.
 */
describe('the job store on DynamoDB, a start refused by a live lease that is given up before the refusal is read', () => {
  it('does not answer the page as recorded (0): it throws AttemptLiveError or counts the attempt', async () => {
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

    expect(answer).not.toBe(0);
  });
});
