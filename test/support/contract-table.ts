import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { createTable } from '#infra/local/dynamodb.ts';
import { sdkConfig, uniqueId } from './cloud.ts';

/**
 * A table of the calling file's own on the test cloud's DynamoDB Local, keyed, indexed and expiring
 * as the cloud's (the local cloud's own `createTable`), created before the file's tests and deleted
 * after.
 * It has no stream: the outbox entries a store contract writes stay in it, where the cloud's table
 * would have its publisher relay them to the functions, which would then act on the test's data
 * while the test compares it.
 */
export function aTableOfItsOwn(label = 'backline-contracts'): { readonly name: string } {
  const name = uniqueId(label);
  const client = new DynamoDBClient(sdkConfig('dynamodb'));
  beforeAll(() => createTable(client, name, { stream: false }));
  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: name }));
    client.destroy();
  });
  return { name };
}
