import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Faults } from '#infra/local/faults.ts';
import { JsonLines } from '#infra/local/jsonl.ts';
import { LocalQueue } from '#infra/local/queues/queue.ts';

/**
 * docs/design.md#queues: SQS moves a message received maxReceiveCount times to its dead-letter queue
 * once, and a redrive moves each dead letter back once; the local queue keeps that across a `kill -9`
 * of the local cloud. Each is two writes (the letter, then the journal's line ending the message; the
 * moved message journalled as sent, then the letters taken out): a kill between them must leave one
 * outcome at the next start on the same data folder, never the letter kept and the message as well.
 */

let directory: string;
const started: LocalQueue[] = [];
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'backline-queue-dead-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const queue of started.splice(0)) queue.stop();
  rmSync(directory, { recursive: true, force: true });
});

const files = () => ({
  journal: join(directory, 'settlement.jsonl'),
  deadLetters: join(directory, 'settlement-dead-letters.jsonl'),
});

/** A queue on the data folder whose function fails while `failing()`, noting each body it gets. */
function aQueue(failing: () => boolean) {
  const bodies: string[] = [];
  const queue = new LocalQueue({
    functionName: 'settlement',
    trigger: {
      kind: 'queue',
      queue: 'settlement',
      bus: 'default',
      pattern: { source: ['aws.ses'] },
      batchSize: 10,
      batchingWindowSeconds: 0,
      deliveryDelaySeconds: 0,
      visibilityTimeoutSeconds: 0.05,
      maxReceiveCount: 1,
      maxConcurrency: 1,
    },
    invoke: async (_, event) => {
      bodies.push(...event.Records.map((record) => record.body));
      if (failing()) throw new Error('down');
      return {};
    },
    faults: new Faults(),
    account: '000000000000',
    region: 'us-east-1',
    files: files(),
    pollIntervalMs: 5,
  });
  started.push(queue);
  queue.start();
  return { queue, bodies };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Idle once a visibility timeout has passed: whatever would come back has come back. */
const settled = async (queue: LocalQueue) => {
  await queue.whenIdle();
  await wait(100);
  await queue.whenIdle();
};

/** A message received once and dead-lettered at its next receive, the queue then stopped (killed). */
async function aDeadLetter(): Promise<LocalQueue> {
  const { queue } = aQueue(() => true);
  queue.send('Email Sent');
  for (let i = 0; i < 100 && queue.deadLetters().length === 0; i++) await settled(queue);
  return queue;
}

describe('a dead letter of the local queue cut short by a kill', () => {
  it('is kept once, the message not received again, when the kill came between the letter and its journal line', async () => {
    (await aDeadLetter()).stop();
    // What the kill left: the letter synced, the journal's `dead` line never written.
    const { journal } = files();
    const lines = readFileSync(journal, 'utf8').split('\n').filter(Boolean);
    writeFileSync(journal, `${lines.filter((line) => !line.includes('"op":"dead"')).join('\n')}\n`);

    const second = aQueue(() => false);
    await settled(second.queue);
    const moved = second.queue.redrive();
    await settled(second.queue);

    expect({ moved, bodies: second.bodies }).toEqual({ moved: 1, bodies: ['Email Sent'] });
  });

  it('is moved back once when the kill came between the moved message journalled and the letters taken out', async () => {
    const first = await aDeadLetter();
    // The process dies as the redrive rewrites the dead letters' file.
    vi.spyOn(JsonLines.prototype, 'rewrite').mockImplementationOnce(() => {
      throw new Error('killed');
    });
    expect(() => first.redrive()).toThrow('killed');
    vi.restoreAllMocks();
    first.stop();

    const second = aQueue(() => false);
    await settled(second.queue);
    const moved = second.queue.redrive();
    await settled(second.queue);

    expect({ moved, bodies: second.bodies, left: second.queue.deadLetters() }).toEqual({
      moved: 1,
      bodies: ['Email Sent'],
      left: [],
    });
  });
});
