import { createServer } from 'node:http';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dynamoAnsweringWithin } from '#shared/clients.ts';
import { WriteFence } from '#shared/db/write-fence.ts';
import {
  aLastAttemptWithWaveStillReading,
  deskLeftBy,
  dynamoServedBy,
  onFakeTimers,
  runTheLastAttempt,
} from '#test/support/jobs.ts';

/**
 * After 6eb2458 (docs/design.md#jobs), a write counted as answered when the SDK's final error carried an
 * HTTP status. But the SDK tries a write again after a try it gave up (TimeoutError), and its final error is
 * its last try's: a first try DynamoDB received and did not answer in time, then a 500 for each try after,
 * ends in an InternalServerError with a status, while that first try may still be applied. The last
 * attempt then does not wait, the job's failure reads the page's addresses at once, and the outlet the
 * first try creates is named by no `Outlets Changed`. A failed write now counts as answered only after a
 * single try the table answered (`$metadata.attempts` 1).
 */
describe('a row write whose first try timed out and whose later tries were answered 500', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('leaves the fence knowing a try went unanswered (the real SDK)', async () => {
    const tries: number[] = [];
    const table = createServer((request, response) => {
      tries.push(Date.now());
      if (tries.length === 1) return; // received, never answered within the client's timeout
      request.resume();
      request.on('end', () => {
        response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
            message: 'Internal server error',
          }),
        );
      });
    });
    await dynamoServedBy(table);
    const put = new PutCommand({ TableName: 'backline', Item: { pk: 'OUTLET#out-1', sk: 'OUTLET' } });
    const fence = new WriteFence();

    const failed = await fence
      .write((abortSignal) => dynamoAnsweringWithin(200).send(put, { abortSignal }))
      .catch((error: Error) => error)
      .finally(() => {
        table.closeAllConnections();
        table.close();
      });

    expect({ failed, tries: tries.length, unanswered: fence.unansweredSent }).toMatchObject({
      failed: { name: 'InternalServerError' },
      tries: expect.any(Number),
      unanswered: true,
    });
  });

  describe('on the fake clock', () => {
    onFakeTimers();

    it("names in the job's failure the outlet that first try created, on the page's last attempt", async () => {
      // Two attempts were killed before they wrote anything (started, never recorded); this is the third.
      // wave's read before its write is slow: still reading when the attempt's deadline comes.
      const { world, job } = await aLastAttemptWithWaveStillReading(
        (upsert) => async (input, meta) =>
          // desk's first try goes unanswered for 3 s and is given up by the client (DynamoDB had received it
          // and applies it 2.8 s later, within the client's request timeout of its giving up); its two later
          // tries are answered 500: the SDK's error is the last try's, an InternalServerError carrying its
          // HTTP status, as the real SDK's (first case above).
          meta.fence!.write(async () => {
            await new Promise((resolve) => setTimeout(resolve, 3_000));
            setTimeout(() => void upsert(input, { ...meta, fence: undefined }), 2_800);
            await new Promise((resolve) => setTimeout(resolve, 200));
            const error = Object.assign(new Error('Internal server error'), {
              name: 'InternalServerError',
              $fault: 'server',
              $metadata: { httpStatusCode: 500, attempts: 3 },
            });
            throw error;
          }),
      );

      expect(await runTheLastAttempt(world, job.jobId, 3_300)).toMatchObject({ outcome: 'failed' });

      const { desk, left } = await deskLeftBy(world, job.jobId);
      expect(left).toEqual({
        status: 'failed',
        created: expect.any(String),
        named: expect.arrayContaining([desk?.id]),
      });
    });
  });
});
