import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Faults } from '#infra/local/faults.ts';
import { LocalQueue, type SqsRecord } from '#infra/local/queues/queue.ts';
import type { QueueTrigger } from '#infra/topology.ts';

const aTrigger = (overrides: Partial<QueueTrigger> = {}): QueueTrigger => ({
  kind: 'queue',
  queue: 'mail-events',
  bus: 'default',
  pattern: { source: ['aws.ses'] },
  batchSize: 10,
  batchingWindowSeconds: 0.05,
  deliveryDelaySeconds: 0,
  visibilityTimeoutSeconds: 0.2,
  maxReceiveCount: 3,
  maxConcurrency: 5,
  ...overrides,
});

const started: LocalQueue[] = [];
afterEach(() => {
  for (const queue of started.splice(0)) queue.stop();
});

/** A queue whose function records each batch and answers what `answer` says. */
function aQueue(
  options: {
    trigger?: Partial<QueueTrigger>;
    answer?: (records: SqsRecord[], call: number) => unknown;
    faults?: Faults;
    files?: { journal: string; deadLetters: string };
    start?: boolean;
  } = {},
) {
  const batches: SqsRecord[][] = [];
  const queue = new LocalQueue({
    functionName: 'announcer',
    trigger: aTrigger(options.trigger),
    invoke: async (_, event) => {
      batches.push(event.Records);
      return options.answer?.(event.Records, batches.length) ?? {};
    },
    faults: options.faults ?? new Faults(),
    account: '000000000000',
    region: 'us-east-1',
    files: options.files,
    pollIntervalMs: 10,
  });
  started.push(queue);
  if (options.start !== false) queue.start();
  return { queue, batches, bodies: () => batches.map((batch) => batch.map((record) => record.body)) };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits for `check` to hold (a busy machine may take long; the test's own timeout bounds it). */
const until = async (check: () => boolean) => {
  while (!check()) await wait(10);
};
const dataFiles = () => {
  const dir = mkdtempSync(join(tmpdir(), 'queue-'));
  return { journal: join(dir, 'q.jsonl'), deadLetters: join(dir, 'q-dead.jsonl') };
};

describe('the local SQS queue and its event source mapping', () => {
  it('hands messages over in batches of at most the batch size, after gathering for the batching window', async () => {
    // A window long enough that a busy machine cannot let it pass before the first batch is seen.
    const { queue, bodies } = aQueue({ trigger: { batchSize: 4, batchingWindowSeconds: 3 } });

    for (let i = 1; i <= 6; i++) queue.send(`m${i}`);
    await until(() => bodies().length > 0);
    const beforeTheWindow = bodies();
    await queue.whenIdle();

    expect(beforeTheWindow).toEqual([['m1', 'm2', 'm3', 'm4']]);
    expect(bodies()).toEqual([
      ['m1', 'm2', 'm3', 'm4'],
      ['m5', 'm6'],
    ]);
  });

  it('runs at most maxConcurrency batches at once, as the event source mapping does', async () => {
    let running = 0;
    let most = 0;
    const queue = new LocalQueue({
      functionName: 'announcer',
      trigger: aTrigger({ batchSize: 1, batchingWindowSeconds: 0, maxConcurrency: 2 }),
      invoke: async () => {
        most = Math.max(most, ++running);
        await wait(30);
        running--;
        return {};
      },
      faults: new Faults(),
      account: '000000000000',
      region: 'us-east-1',
      pollIntervalMs: 10,
    });
    started.push(queue);
    queue.start();

    for (let i = 1; i <= 8; i++) queue.send(`m${i}`);
    await until(() => most > 0);
    await queue.whenIdle();

    expect(most).toBe(2);
  });

  it('shapes each record as Lambda does, with the receive count', async () => {
    const { queue, batches } = aQueue();

    const id = queue.send('{"detail-type":"Email Sent"}');
    await queue.whenIdle();

    expect(batches[0][0]).toMatchObject({
      messageId: id,
      body: '{"detail-type":"Email Sent"}',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:mail-events',
      attributes: { ApproximateReceiveCount: '1' },
    });
  });

  it('brings back only the messages named in batchItemFailures, once their visibility timeout ends', async () => {
    const { queue, bodies } = aQueue({
      answer: (records, call) =>
        call === 1 ? { batchItemFailures: [{ itemIdentifier: records[1].messageId }] } : {},
    });

    queue.send('a');
    queue.send('b');
    queue.send('c');
    await queue.whenIdle();
    const right = bodies();
    await wait(300);
    await queue.whenIdle();

    expect(right).toEqual([['a', 'b', 'c']]);
    expect(bodies()).toEqual([['a', 'b', 'c'], ['b']]);
  });

  it('brings back the whole batch when the function throws, or names a message not in the batch', async () => {
    const { queue, batches } = aQueue({
      answer: (_, call) => {
        if (call === 1) throw new Error('boom');
        if (call === 2) return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
        return {};
      },
    });

    queue.send('a');
    queue.send('b');
    for (let i = 0; i < 3; i++) {
      await queue.whenIdle();
      await wait(250);
    }
    await queue.whenIdle();

    expect(batches.map((batch) => batch.map((r) => r.attributes.ApproximateReceiveCount))).toEqual([
      ['1', '1'],
      ['2', '2'],
      ['3', '3'],
    ]);
    expect(queue.depth()).toMatchObject({ visible: 0, invisible: 0, inFlight: 0 });
  });

  it('hands a message over only after the delivery delay, unless something waits for the queue to be idle', async () => {
    const { queue, batches } = aQueue({ trigger: { deliveryDelaySeconds: 0.4, batchingWindowSeconds: 0 } });

    const sentAt = Date.now();
    queue.send('late');
    await wait(100);
    const early = batches.length;
    expect(queue.depth()).toMatchObject({ visible: 0, delayed: 1, invisible: 0 });
    await until(() => batches.length === 1);
    const receivedAt = Date.now();
    queue.send('flushed');
    await queue.whenIdle();

    expect(early).toBe(0);
    expect(receivedAt - sentAt).toBeGreaterThanOrEqual(400);
    expect(batches.map((batch) => batch.map((record) => record.body))).toEqual([['late'], ['flushed']]);
  });

  it('moves a message to the dead-letter queue once it was received maxReceiveCount times', async () => {
    const { queue, batches } = aQueue({
      trigger: { maxReceiveCount: 2 },
      answer: () => {
        throw new Error('always');
      },
    });

    queue.send('poison');
    for (let i = 0; i < 3; i++) {
      await queue.whenIdle();
      await wait(250);
    }
    await queue.whenIdle();

    expect(batches).toHaveLength(2);
    expect(queue.deadLetters()).toEqual([
      expect.objectContaining({ queue: 'mail-events', body: 'poison', receiveCount: 2 }),
    ]);
  });

  it('moves its dead letters back on a redrive, where they run like any message', async () => {
    let failing = true;
    const { queue, bodies } = aQueue({
      trigger: { maxReceiveCount: 1 },
      answer: () => {
        if (failing) throw new Error('down');
        return {};
      },
    });
    queue.send('Email Sent');
    await until(() => queue.deadLetters().length === 1);

    failing = false;
    const moved = queue.redrive();
    await queue.whenIdle();

    expect(moved).toBe(1);
    expect(queue.deadLetters()).toEqual([]);
    expect(bodies()).toEqual([['Email Sent'], ['Email Sent']]);
  });

  it('keeps what it was sent across a restart, and brings back what was in flight after its visibility timeout', async () => {
    const files = dataFiles();
    // A visibility timeout long enough that a busy machine reaches the restart before it ends.
    const trigger = { visibilityTimeoutSeconds: 2 };
    const first = aQueue({ files, trigger, answer: () => new Promise(() => {}) });
    first.queue.send('in flight when killed');
    await until(() => first.bodies().length > 0);
    first.queue.stop();
    const unstarted = aQueue({ files, trigger, start: false });
    unstarted.queue.send('never received');
    unstarted.queue.stop();

    const second = aQueue({ files, trigger });
    await second.queue.whenIdle();
    const atOnce = second.bodies();
    // Both bodies received, however they were batched: one back too soon fails the assertions below, not the test's timeout.
    await until(() => second.bodies().flat().length > 1);
    await second.queue.whenIdle();

    expect(first.bodies()).toEqual([['in flight when killed']]);
    expect(atOnce).toEqual([['never received']]);
    expect(second.bodies()).toEqual([['never received'], ['in flight when killed']]);
    expect(second.batches[1][0].attributes.ApproximateReceiveCount).toBe('2');
  });

  it('delivers a handled batch again when its deletion is lost (sqs.redeliver), and refuses a send on sqs.send-fail', async () => {
    const faults = new Faults('sqs.redeliver:mail-events=1,sqs.send-fail=1');
    const { queue, bodies } = aQueue({ faults });

    const refused = (() => {
      try {
        queue.send('refused');
        return false;
      } catch {
        return true;
      }
    })();
    queue.send('handled twice');
    await queue.whenIdle();
    await wait(250);
    await queue.whenIdle();

    expect(refused).toBe(true);
    expect(bodies()).toEqual([['handled twice'], ['handled twice']]);
  });

  it('hands a batch to two concurrent invocations under sqs.duplicate, and deletes a message either of them handled', async () => {
    let running = 0;
    let most = 0;
    const faults = new Faults('sqs.duplicate:mail-events=1');
    const { queue, batches } = aQueue({
      faults,
      answer: async (records, call) => {
        running++;
        most = Math.max(most, running);
        await wait(5);
        running--;
        // The first copy fails one message and the second the other: each is still handled once.
        return { batchItemFailures: [{ itemIdentifier: records[call === 1 ? 0 : 1].messageId }] };
      },
    });

    queue.send('first');
    queue.send('second');
    await queue.whenIdle();
    await wait(250);
    await queue.whenIdle();

    expect(batches.map((batch) => batch.map((record) => record.body))).toEqual([
      ['first', 'second'],
      ['first', 'second'],
    ]);
    expect(batches[0].map((record) => record.messageId)).toEqual(
      batches[1].map((record) => record.messageId),
    );
    expect(most).toBe(2);
    expect(queue.depth()).toMatchObject({ visible: 0, invisible: 0, inFlight: 0 });
  });
});
