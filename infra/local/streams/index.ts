import { join } from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { FunctionName, FunctionSpec } from '../../topology.ts';
import { StreamDeadLetters } from './dead-letters.ts';
import { type LambdaStreamRecord, type StreamDeadLetter, StreamMapping } from './mapping.ts';

export type { StreamDeadLetter } from './mapping.ts';

export interface LocalStreams {
  /** Resolves once every mapping has handled what the stream held at the call; answers how many records were read. */
  caughtUp(): Promise<number>;
  deadLetters(): StreamDeadLetter[];
  /** The on-failure records that outlived their queue's retention in this run. */
  expiredDeadLetters(): StreamDeadLetter[];
  /** Takes out the on-failure records held now (`POST /_local/dlq/redrive`); answers how many. */
  redrive(): number;
  /** Whether the mappings read the stream (`GET`/`POST /_local/streams`). */
  enabled(): boolean;
  /** Disables or enables every mapping, as `UpdateEventSourceMapping` does with `Enabled`. */
  setEnabled(enabled: boolean): void;
  stop(): Promise<void>;
}

/** The topology's stream triggers as event source mappings on the local table's stream, polling from now on. */
export function startStreamMappings(options: {
  functions: [FunctionName, FunctionSpec][];
  streamArn: string;
  endpoint: string;
  region: string;
  invoke: (name: FunctionName, event: { Records: LambdaStreamRecord[] }) => Promise<unknown>;
  retryBaseMs: number;
  dataDir?: string;
  /** How far the local clock runs ahead of the machine's: records are dated in the local clock. */
  clockOffsetMs?: () => number;
}): LocalStreams {
  const client = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  // In the data folder, as the bus's and the schedules' dead letters are: a restart keeps them.
  const deadLetters = new StreamDeadLetters(
    options.dataDir ? join(options.dataDir, 'stream-dead-letters.jsonl') : undefined,
  );
  const mappings = options.functions.flatMap(([functionName, spec]) =>
    spec.on.flatMap((trigger, index) =>
      trigger.kind === 'stream'
        ? [
            new StreamMapping({
              functionName,
              trigger,
              streamArn: options.streamArn,
              region: options.region,
              client,
              invoke: options.invoke,
              retryBaseMs: options.retryBaseMs,
              positionsFile: options.dataDir
                ? join(options.dataDir, `stream-positions-${functionName}-${index}.json`)
                : undefined,
              onFailure: (deadLetter) => deadLetters.add(deadLetter),
              ...(options.clockOffsetMs ? { clockOffsetMs: options.clockOffsetMs } : {}),
            }),
          ]
        : [],
    ),
  );
  for (const mapping of mappings) mapping.start();
  return {
    caughtUp: async () =>
      (await Promise.all(mappings.map((mapping) => mapping.caughtUp()))).reduce((a, b) => a + b, 0),
    deadLetters: () => deadLetters.list(),
    expiredDeadLetters: () => deadLetters.expired(),
    redrive: () => deadLetters.redrive(),
    enabled: () => mappings.every((mapping) => mapping.enabled),
    setEnabled: (enabled) => {
      for (const mapping of mappings) mapping.setEnabled(enabled);
    },
    stop: async () => {
      await Promise.all(mappings.map((mapping) => mapping.stop()));
      deadLetters.close();
      client.destroy();
    },
  };
}
