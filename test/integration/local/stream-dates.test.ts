import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { ensureTable } from '#infra/local/dynamodb.ts';
import { startStreamMappings } from '#infra/local/streams/index.ts';
import type { LambdaStreamRecord } from '#infra/local/streams/mapping.ts';
import { functionEntries } from '#infra/topology.ts';
import { outboxItem } from '#shared/db/outbox.ts';
import { OutletSuppressed, outboxEntry } from '#shared/events/index.ts';
import { cloud, region, sdkConfig, uniqueId } from '#test/support/cloud.ts';

/**
 * docs/design.md#the-local-clock: DynamoDB Local dates a stream record by the machine's clock, while the
 * functions read the local clock, ahead of it once the clock has jumped. On AWS a record's
 * `ApproximateCreationDateTime` agrees with Lambda's clock, and the publisher takes now less it as the
 * outbox's lag (OutboxLag), so the local event source mapping hands it over in the local clock's time.
 */
describe("the table stream's records as the local event source mapping hands them to a function", () => {
  it("dates a record's creation in the local clock, though DynamoDB Local dates it by the machine's", async () => {
    const client = new DynamoDBClient(sdkConfig('dynamodb'));
    const tableName = uniqueId('backline-stream-dates');
    const streamArn = await ensureTable(client, tableName);
    const received: LambdaStreamRecord[] = [];
    const dayAhead = 24 * 3_600_000;
    const streams = startStreamMappings({
      functions: functionEntries().filter(([name]) => name === 'publisher'),
      streamArn,
      endpoint: cloud().endpoints.dynamodb,
      region,
      invoke: async (_name, event) => {
        received.push(...event.Records);
      },
      retryBaseMs: 10,
      clockOffsetMs: () => dayAhead,
    });
    try {
      // This test's process reads the machine's clock, as DynamoDB Local does.
      const writtenAt = Math.floor(Date.now() / 1000);
      await DynamoDBDocumentClient.from(client).send(
        new PutCommand({
          TableName: tableName,
          Item: outboxItem(outboxEntry(OutletSuppressed, OutletSuppressed.sample), new Date().toISOString()),
        }),
      );

      await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 20_000 });

      const created = received[0].dynamodb.ApproximateCreationDateTime;
      expect(created).toBeTypeOf('number');
      // DynamoDB Local rounds it down to the minute (AWS to the second).
      expect(created! - writtenAt).toBeGreaterThanOrEqual(dayAhead / 1000 - 60);
      expect(created! - writtenAt).toBeLessThanOrEqual(dayAhead / 1000 + 5);
    } finally {
      await streams.stop();
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    }
  }, 60_000);
});
