import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Faults } from '#infra/local/faults.ts';
import { LocalQueue, type SqsRecord } from '#infra/local/queues/queue.ts';

/**
 * docs/design.md#queues: a local cloud whose `npm start` is killed (`kill -9` of npm) or stopped with
 * Ctrl-C keeps its queues as after a `kill -9` of the cloud itself. Stopping, it stops DynamoDB Local
 * under the function; a batch started then fails for the stop and spends a receive of each of its
 * messages (of maxReceiveCount before the dead-letter queue) that SQS would not have counted.
 */

let directory: string;
const started: LocalQueue[] = [];
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'backline-queue-stop-'));
});
afterEach(() => {
  for (const queue of started.splice(0)) queue.stop();
  rmSync(directory, { recursive: true, force: true });
});

function aQueue(invoke: (records: SqsRecord[]) => Promise<unknown>) {
  const queue = new LocalQueue({
    functionName: 'settlement',
    trigger: {
      kind: 'queue',
      queue: 'settlement',
      bus: 'default',
      pattern: { source: ['aws.ses'] },
      batchSize: 1,
      batchingWindowSeconds: 0,
      deliveryDelaySeconds: 0,
      visibilityTimeoutSeconds: 60,
      maxReceiveCount: 3,
      maxConcurrency: 1,
    },
    invoke: async (_, event) => invoke(event.Records),
    faults: new Faults(),
    account: '000000000000',
    region: 'us-east-1',
    files: {
      journal: join(directory, 'settlement.jsonl'),
      deadLetters: join(directory, 'settlement-dead-letters.jsonl'),
    },
    pollIntervalMs: 5,
  });
  started.push(queue);
  queue.start();
  return queue;
}

describe('a queue whose local cloud stops while a batch runs', () => {
  it('starts no batch after the stop: the next start receives the rest for the first time', async () => {
    const bodies: string[] = [];
    let stopUnderIt: (error: Error) => void = () => undefined;
    let running: () => void = () => undefined;
    const firstBatchRuns = new Promise<void>((resolve) => {
      running = resolve;
    });
    const first = aQueue(
      (records) =>
        new Promise((_, reject) => {
          bodies.push(...records.map((record) => record.body));
          stopUnderIt = reject;
          running();
        }),
    );
    first.send('one');
    first.send('two');
    await firstBatchRuns;
    first.stop();
    stopUnderIt(new Error('connect ECONNREFUSED 127.0.0.1:8000'));
    await new Promise((resolve) => setTimeout(resolve, 50));

    const received: [string, string][] = [];
    const second = aQueue(async (records) => {
      received.push(...records.map((r): [string, string] => [r.body, r.attributes.ApproximateReceiveCount]));
      return {};
    });
    await second.whenIdle();

    expect({ bodies, received }).toEqual({ bodies: ['one'], received: [['two', '1']] });
  });

  it('is idle once stopped and its batch has ended, though it holds messages for the next start', async () => {
    let end: () => void = () => undefined;
    const queue = aQueue(
      () =>
        new Promise((resolve) => {
          end = () => resolve({});
        }),
    );
    queue.send('one');
    queue.send('two');
    await new Promise((resolve) => setTimeout(resolve, 50));
    queue.stop();
    let idle = false;
    const whenIdle = queue.whenIdle().then(() => {
      idle = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const idleWhileItsBatchRan = idle;
    end();
    await whenIdle;

    expect({ idleWhileItsBatchRan, idle }).toEqual({ idleWhileItsBatchRan: false, idle: true });
  });
});
