import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTable } from '#infra/local/dynamodb.ts';
import { tableDefinition } from '#shared/db/table.ts';
import { cloud, sdkConfig, uniqueId } from '#test/support/cloud.ts';

/**
 * The local cloud's table is the stack's (shared/db/table.ts), Time to Live included: a reader of
 * the local table sees which attribute expires items, as `DescribeTimeToLive` shows it on AWS.
 */
describe("the local cloud's table", () => {
  const client = new DynamoDBClient(sdkConfig('dynamodb'));
  const made: string[] = [];
  afterAll(async () => {
    for (const name of made) await client.send(new DeleteTableCommand({ TableName: name }));
    client.destroy();
  });
  const timeToLive = async (tableName: string) =>
    (await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }))).TimeToLiveDescription;
  const asTheStackHasIt = { AttributeName: tableDefinition.ttlAttribute, TimeToLiveStatus: 'ENABLED' };

  it('expires items on the attribute the stack names', async () => {
    expect(await timeToLive(cloud().tableName)).toEqual(asTheStackHasIt);
  });

  it('gets Time to Live when it was made before the local cloud turned it on (a data folder kept across versions)', async () => {
    const name = uniqueId('backline-before-ttl');
    made.push(name);
    const { partitionKey, sortKey } = tableDefinition;
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: partitionKey, AttributeType: 'S' },
          { AttributeName: sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        StreamSpecification: { StreamEnabled: true, StreamViewType: tableDefinition.stream },
      }),
    );

    await ensureTable(client, name);
    await ensureTable(client, name);

    expect(await timeToLive(name)).toEqual(asTheStackHasIt);
  });
});
