import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { dynamoAnsweringWithin } from '#shared/clients.ts';
import { dynamoOutletManagement } from '#shared/db/outlet-changes.ts';
import { FencedWriteError, WriteFence } from '#shared/db/write-fence.ts';
import { dynamoServedBy } from '#test/support/jobs.ts';
import { anOutletInput } from '#test/support/outlets.ts';

describe('a write fence', () => {
  it('answers its closing once the writes already sent have answered, and sends none after', async () => {
    const fence = new WriteFence();
    let answer = () => {};
    const sent: string[] = [];
    const writing = fence.write(
      () =>
        new Promise<void>((resolve) => {
          sent.push('first');
          answer = resolve;
        }),
    );
    let closed = false;

    const closing = fence.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const closedBeforeTheAnswer = closed;
    answer();
    await closing;
    const refused = await fence
      .write(async () => {
        sent.push('second');
      })
      .catch((error: Error) => error);

    expect(closedBeforeTheAnswer).toBe(false);
    await expect(writing).resolves.toBeUndefined();
    expect(fence.signal.aborted).toBe(true);
    expect(refused).toBeInstanceOf(FencedWriteError);
    expect(sent).toEqual(['first']);
  });
});

/**
 * A DynamoDB document client whose table answers every read with nothing and every write with a 500
 * (which the SDK tries again, 4 tries in all), counting the writes' tries; `onWrite` runs at each.
 */
function aTableFailingWrites(
  onWrite: () => void,
  refusal: { statusCode: number; __type: string } = {
    statusCode: 500,
    __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
  },
) {
  const writes: string[] = [];
  const answer = (statusCode: number, body: object) => ({
    response: {
      statusCode,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: Readable.from([Buffer.from(JSON.stringify(body))]),
    },
  });
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://dynamodb.test',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: {
      handle: async (request: { headers: Record<string, string> }) => {
        const operation = request.headers['x-amz-target']?.split('.')[1] ?? '';
        if (!['TransactWriteItems', 'UpdateItem', 'PutItem'].includes(operation)) return answer(200, {});
        writes.push(operation);
        onWrite();
        return answer(refusal.statusCode, { __type: refusal.__type, message: 'Refused' });
      },
    },
  });
  return { db: DynamoDBDocumentClient.from(client), writes };
}

describe("a write fence and the SDK's retries", () => {
  it('stops the SDK trying an outlet write sent through it once it closes: no try is sent after', async () => {
    const fence = new WriteFence();
    // The fence closes while the SDK waits to try the write again (the renewal of its lease refused).
    const { db, writes } = aTableFailingWrites(() => setImmediate(() => void fence.close()));
    const outlets = dynamoOutletManagement(db, 'backline');

    const upserted = await outlets
      .upsertByEmail(anOutletInput({ email: 'desk@x.example' }), {
        newId: () => 'out-1',
        now: '2027-02-01T10:00:00.000Z',
        fence,
      })
      .catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    expect(upserted).toMatchObject({ name: 'AbortError' });
    expect(writes).toEqual(['TransactWriteItems']);
  });
});

describe("the jobs function's DynamoDB client", () => {
  it('gives up a try that is not answered in time and tries again, rather than waiting on the socket', async () => {
    const tries: number[] = [];
    const silent = createServer(() => tries.push(Date.now()));
    await dynamoServedBy(silent);
    const started = Date.now();

    const read = await dynamoAnsweringWithin(200)
      .send(new GetCommand({ TableName: 'backline', Key: { pk: 'JOB#job-1', sk: 'JOB' } }))
      .catch((error: Error) => error)
      .finally(() => {
        vi.unstubAllEnvs();
        silent.closeAllConnections();
        silent.close();
      });

    expect(read).toMatchObject({ name: 'TimeoutError' });
    expect(tries).toHaveLength(4);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('leaves a fence knowing a write it sent went unanswered when the client gave its tries up or it failed after more than one try, not when its one try was answered', async () => {
    const silent = createServer(() => {});
    await dynamoServedBy(silent);
    const put = new PutCommand({ TableName: 'backline', Item: { pk: 'OUTLET#out-1', sk: 'OUTLET' } });
    const givenUp = new WriteFence();
    const timedOut = await givenUp
      .write((abortSignal) => dynamoAnsweringWithin(200).send(put, { abortSignal }))
      .catch((error: Error) => error)
      .finally(() => {
        vi.unstubAllEnvs();
        silent.closeAllConnections();
        silent.close();
      });
    // Four tries answered 500: the error is the last try's, and could as well follow a first try given up.
    const retried = new WriteFence();
    const { db } = aTableFailingWrites(() => {});
    const refused = await retried
      .write((abortSignal) => db.send(put, { abortSignal }))
      .catch((error: Error) => error);
    // One try, answered: a condition that failed is not tried again.
    const answered = new WriteFence();
    const { db: conditional, writes } = aTableFailingWrites(() => {}, {
      statusCode: 400,
      __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
    });
    const checked = await answered
      .write((abortSignal) => conditional.send(put, { abortSignal }))
      .catch((error: Error) => error);

    expect({ timedOut, unanswered: givenUp.unansweredSent }).toMatchObject({
      timedOut: { name: 'TimeoutError' },
      unanswered: true,
    });
    expect({ refused, unanswered: retried.unansweredSent }).toMatchObject({
      refused: { name: 'InternalServerError', $metadata: { httpStatusCode: 500, attempts: 4 } },
      unanswered: true,
    });
    expect({ checked, writes, unanswered: answered.unansweredSent }).toMatchObject({
      checked: { name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400, attempts: 1 } },
      writes: ['PutItem'],
      unanswered: false,
    });
  });
});
