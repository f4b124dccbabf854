import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoSendRateBucket } from '#shared/db/send-rate.ts';
import { tableSendRate } from '#shared/mail/ses.ts';
import { documentClient } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import { answerLostOnce } from '#test/support/dynamo-errors.ts';

/**
 * docs/design.md#failures-and-retries, on DynamoDB Local: a sender's replace of the send-rate bucket
 * (a conditional put on the version it read) is applied and its answer lost, and the SDK's resend is
 * refused by that very put. Taken for another sender's, the bucket was read again and the same take
 * spent a second time: sending slowed for tokens nobody used. The table is the file's own.
 */
const table = aTableOfItsOwn('backline-send-rate-lost');

describe('a take of the send-rate bucket whose replace landed while its answer was lost', () => {
  it('is spent once', async () => {
    const client = documentClient();
    const losing = answerLostOnce(client, PutCommand);
    const bucket = dynamoSendRateBucket(losing.client, table.name);
    const at = Date.parse('2027-03-01T12:00:00.000Z');
    const rate = tableSendRate({ bucket, rate: async () => 10, now: () => at, sleep: async () => {} });

    expect(await rate.acquire(4, at + 60_000)).toBe(true);

    expect(losing.lost()).toBe(true);
    expect((await bucket.read()).bucket).toEqual({ tokens: 6, at });
  });
});
