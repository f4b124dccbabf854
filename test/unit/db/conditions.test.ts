import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { batchGetAll } from '#shared/db/batch-get.ts';
import { failedConditions, isConditionFailure } from '#shared/db/conditions.ts';

const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: `K#${i}`, sk: 'K' }));

describe('DynamoDB helpers', () => {
  it('reads every key in pages of 100 and asks again for the keys left unprocessed', async () => {
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const mock = mockClient(db);
    let calls = 0;
    mock.on(BatchGetCommand).callsFake((input) => {
      calls++;
      const asked = input.RequestItems.t.Keys as { pk: string }[];
      // The first answer leaves its last key unprocessed, as DynamoDB does under throttling.
      const [answered, left] = calls === 1 ? [asked.slice(0, -1), asked.slice(-1)] : [asked, []];
      return {
        Responses: { t: answered.map((key) => ({ ...key, found: true })) },
        UnprocessedKeys: left.length > 0 ? { t: { Keys: left } } : {},
      };
    });

    const items = await batchGetAll(db, 't', keys(150));

    expect(items).toHaveLength(150);
    expect(
      mock.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems?.t.Keys?.length),
    ).toEqual([100, 1, 50]);
  });

  it('fails rather than answer with items missing when keys stay unprocessed', async () => {
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    mockClient(db)
      .on(BatchGetCommand)
      .callsFake((input) => ({
        Responses: { t: [] },
        UnprocessedKeys: { t: { Keys: input.RequestItems.t.Keys } },
      }));

    await expect(batchGetAll(db, 't', keys(2))).rejects.toThrow('BatchGetItem left 2 key(s) unprocessed');
  });

  it('tells a failed condition from other errors, in single writes and in transactions', () => {
    const cancelled = Object.assign(new Error('cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
    });

    expect(
      isConditionFailure(Object.assign(new Error('x'), { name: 'ConditionalCheckFailedException' })),
    ).toBe(true);
    expect(isConditionFailure(new Error('throttled'))).toBe(false);
    expect(failedConditions(cancelled)).toEqual([false, true]);
    expect(failedConditions(new Error('other'))).toBeUndefined();
  });
});
