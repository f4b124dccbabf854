import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { dynamoClient, ensureTable, startLocalDynamo } from '#infra/local/dynamodb.ts';
import { createDynamoFaultProxy } from '#infra/local/dynamodb-faults.ts';
import { Faults } from '#infra/local/faults.ts';
import { listen } from '#infra/local/ports.ts';

/**
 * What the DynamoDB fault proxy costs per request when no fault fires: the same calls through the
 * real SDK client, straight to DynamoDB Local and through the proxy, sequentially (latency) and 16
 * at a time (throughput), alternating rounds so that warm-up and noise fall on both sides.
 */
const dynamo = await startLocalDynamo({ port: 0 });
// A fault is armed (for an operation the bench never calls), so every request goes through the checks.
const proxy = createDynamoFaultProxy(new Faults('dynamodb.error:DescribeLimits@1'));
const proxyPort = await listen(proxy.server, 0, 'bench proxy');
proxy.setUpstream(dynamo.port);
const table = 'bench';
await ensureTable(dynamoClient(dynamo.endpoint), table);

const client = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
  });
const direct = client(dynamo.endpoint);
const proxied = client(`http://127.0.0.1:${proxyPort}`);
const item = (i: number) => ({
  pk: { S: `BENCH#${i % 50}` },
  sk: { S: `ITEM#${i}` },
  body: { S: 'x'.repeat(400) },
});

type Call = (c: DynamoDBClient, i: number) => Promise<unknown>;
const calls: Record<string, Call> = {
  PutItem: (c, i) => c.send(new PutItemCommand({ TableName: table, Item: item(i) })),
  GetItem: (c, i) =>
    c.send(new GetItemCommand({ TableName: table, Key: { pk: item(i).pk, sk: item(i).sk } })),
  Query: (c, i) =>
    c.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': item(i).pk },
        Limit: 25,
      }),
    ),
  TransactWriteItems: (c, i) =>
    c.send(
      new TransactWriteItemsCommand({
        TransactItems: [0, 1, 2].map((k) => ({ Put: { TableName: table, Item: item(i * 3 + k + 100_000) } })),
      }),
    ),
};

async function sequential(c: DynamoDBClient, call: Call, n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await call(c, i);
  return ((performance.now() - start) * 1000) / n;
}

async function concurrent(c: DynamoDBClient, call: Call, n: number, width: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await call(c, next++);
    }),
  );
  return n / ((performance.now() - start) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  for (const [name, call] of Object.entries(calls)) {
    await sequential(direct, call, 100);
    await sequential(proxied, call, 100);
    const latency = { direct: [] as number[], proxied: [] as number[] };
    const rate = { direct: [] as number[], proxied: [] as number[] };
    for (let round = 0; round < 5; round++) {
      latency.direct.push(await sequential(direct, call, 300));
      latency.proxied.push(await sequential(proxied, call, 300));
      rate.direct.push(await concurrent(direct, call, 1000, 16));
      rate.proxied.push(await concurrent(proxied, call, 1000, 16));
    }
    const [d, p] = [median(latency.direct), median(latency.proxied)];
    console.log(
      `${name.padEnd(18)} sequential: direct ${d.toFixed(0)} µs, proxied ${p.toFixed(0)} µs, overhead ${(p - d).toFixed(0)} µs per request` +
        ` | 16 at a time: direct ${median(rate.direct).toFixed(0)}/s, proxied ${median(rate.proxied).toFixed(0)}/s`,
    );
  }
} finally {
  direct.destroy();
  proxied.destroy();
  await new Promise((resolve) => proxy.server.close(resolve));
  await dynamo.stop();
}
