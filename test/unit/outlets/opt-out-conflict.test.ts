import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoOutletManagement } from '#shared/db/outlet-changes.ts';
import { unsubscriptionKey } from '#shared/db/outlet-items.ts';

const documents = mockClient(DynamoDBDocumentClient);
const directory = () => dynamoOutletManagement(documents as unknown as DynamoDBDocumentClient, 't');
const email = 'news@radio.example';
const at = '2027-03-05T12:00:00.000Z';

beforeEach(() => {
  documents.reset();
  documents.on(GetCommand).resolves({});
  documents.on(TransactWriteCommand).resolves({});
  documents.on(UpdateCommand).resolves({});
});

describe('an address unsubscribed while an outlet is created on it', () => {
  it('records the address opt-out, tried again, when the create transaction checking that item holds it (TransactionConflictException)', async () => {
    // The create's transaction now holds a ConditionCheck on the address's unsubscription item; a plain
    // write of that item landing meanwhile is refused with TransactionConflictException (nothing written).
    documents
      .on(UpdateCommand, { Key: unsubscriptionKey(email) })
      .rejectsOnce(
        Object.assign(new Error('Transaction is ongoing for the item'), {
          name: 'TransactionConflictException',
        }),
      )
      .resolves({});

    await expect(directory().markAddressUnsubscribed(email, at, () => [])).resolves.toBeUndefined();
    expect(documents.commandCalls(UpdateCommand, { Key: unsubscriptionKey(email) })).toHaveLength(2);
  });
});
