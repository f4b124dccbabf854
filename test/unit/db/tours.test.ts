import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { WriteConflictError } from '#shared/db/conflicts.ts';
import { dynamoTours } from '#shared/db/tours.ts';

const documents = mockClient(DynamoDBDocumentClient);
const tours = () => dynamoTours(documents as unknown as DynamoDBDocumentClient, 't');

beforeEach(() => documents.reset());

describe('the tour store on DynamoDB', () => {
  it('gives up saving an advance that keeps changing under it as a write conflict (a 503 to try again), not a plain error', async () => {
    documents.on(GetCommand).resolves({
      Item: { promoterId: 'prm-1', show: { showId: 'shw-1', status: 'announced' } },
    });
    // Each write finds the advance changed since its read (no outbox entries: one conditional update).
    documents.on(UpdateCommand).rejects(
      Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
      }),
    );

    const saving = tours().saveAdvance(
      { labelId: 'lbl-1', tourId: 'tr-1', showId: 'shw-1', promoterId: 'prm-1' },
      {} as never,
      '2027-03-05T12:00:00.000Z',
      () => [],
    );

    await expect(saving).rejects.toBeInstanceOf(WriteConflictError);
  });
});
