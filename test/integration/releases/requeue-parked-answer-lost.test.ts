import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoOutbox } from '#shared/db/outbox-publishing.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import { answerLostOnce } from '#test/support/dynamo-errors.ts';

/**
 * docs/design.md#failures-and-retries, on DynamoDB Local: the redrive puts a parked outbox entry back
 * (a conditional update on its status, no request token) and its answer is lost; the SDK's resend is
 * refused by that very update. Taken for another's, the entry was put back but not counted: the
 * operator was told one entry too few. The table is the file's own: no function acts on it.
 */
const table = aTableOfItsOwn('backline-requeue-lost');

describe('a parked entry put back while the answer was lost', () => {
  it('is counted among those put back', async () => {
    const client = documentClient();
    for (const eventId of [uniqueId('evt'), uniqueId('evt')])
      await client.send(
        new PutCommand({
          TableName: table.name,
          Item: {
            pk: `OUTBOX#${eventId}`,
            sk: 'ENTRY',
            entity: 'outbox',
            eventId,
            status: 'parked',
            parkedAt: '2027-03-01T12:00:00.000Z',
            parkedCode: 'InternalFailure',
            gsi2pk: 'OUTBOX#PARKED',
            gsi2sk: `2027-03-01T12:00:00.000Z#${eventId}`,
          },
        }),
      );
    const losing = answerLostOnce(client, UpdateCommand);

    const requeued = await dynamoOutbox(losing.client, table.name).requeueParked(
      new Date('2027-03-02T08:00:00Z'),
    );

    expect(losing.lost()).toBe(true);
    expect(requeued).toBe(2);
    expect(await dynamoOutbox(client, table.name).parked(10)).toEqual([]);
  });
});
