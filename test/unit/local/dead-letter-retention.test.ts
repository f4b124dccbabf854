import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BusEvent, DeadLetter } from '#infra/local/bus/bus.ts';
import { LocalBus } from '#infra/local/bus/bus.ts';
import { installVirtualClock } from '#infra/local/clock.ts';
import { Faults } from '#infra/local/faults.ts';
import { JsonLines } from '#infra/local/jsonl.ts';
import { LocalQueue, type QueueDeadLetter, type SqsRecord } from '#infra/local/queues/queue.ts';
import { createLocalScheduler, type ScheduleDeadLetter } from '#infra/local/scheduler.ts';
import { StreamDeadLetters } from '#infra/local/streams/dead-letters.ts';
import type { StreamDeadLetter } from '#infra/local/streams/index.ts';

/**
 * docs/design.md#failures-and-retries: every dead-letter queue of the stack keeps a message 14 days
 * (SQS MessageRetentionPeriod), counted from when the message was first sent to a queue. The local
 * cloud's dead letters, read back from the data folder after a restart, are held to it too: an older
 * one is gone, from the letters and from the file.
 */

const clock = installVirtualClock();
const DAY = 24 * 60 * 60 * 1000;
const ago = (ms: number) => new Date(clock.now().getTime() - ms).toISOString();

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'backline-retention-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const event = (id: string): BusEvent => ({
  version: '0',
  id,
  'detail-type': 'One',
  source: 'test',
  account: '000000000000',
  time: ago(20 * DAY),
  region: 'us-east-1',
  resources: [],
  detail: {},
});

/** The settlement queue on the data folder's files, its function answering `invoke`. */
const aSettlementQueue = (
  files: { journal?: string; deadLetters?: string },
  invoke: (records: SqsRecord[]) => Promise<unknown> = async () => ({}),
) =>
  new LocalQueue({
    functionName: 'settlement',
    trigger: {
      kind: 'queue',
      queue: 'settlement',
      bus: 'default',
      pattern: { source: ['aws.ses'] },
      batchSize: 10,
      batchingWindowSeconds: 0,
      deliveryDelaySeconds: 0,
      visibilityTimeoutSeconds: 1,
      maxReceiveCount: 5,
      maxConcurrency: 1,
    },
    invoke: (_, event) => invoke(event.Records),
    faults: new Faults(),
    account: '000000000000',
    region: 'us-east-1',
    files: {
      journal: files.journal ?? join(directory, 'settlement.jsonl'),
      deadLetters: files.deadLetters ?? join(directory, 'settlement-dead-letters.jsonl'),
    },
  });

describe('dead letters read back from the data folder', () => {
  it("keeps a function's dead letter 14 days from when it was dead-lettered, and no longer", () => {
    const file = join(directory, 'dead-letters.jsonl');
    const letter = (id: string, at: string): DeadLetter => ({
      rule: 'a-0',
      function: 'tours',
      attempts: 3,
      error: 'Error: down',
      at,
      event: event(id),
    });
    new JsonLines<DeadLetter>(file).append([
      letter('old', ago(14 * DAY + 60_000)),
      letter('young', ago(14 * DAY - 60_000)),
    ]);

    const bus = new LocalBus({
      functions: [],
      invoke: async () => undefined,
      faults: new Faults(),
      account: '000000000000',
      region: 'us-east-1',
      retryBaseMs: 5,
      journalFiles: { journal: join(directory, 'deliveries.jsonl'), deadLetters: file },
    });
    const kept = bus.deadLetters().map((d) => d.event.id);
    const expired = bus.expiredDeadLetters().map((d) => d.event.id);
    bus.close();

    expect(kept).toEqual(['young']);
    expect(expired).toEqual(['old']);
    expect(new JsonLines<DeadLetter>(file).read().map((d) => d.event.id)).toEqual(['young']);
  });

  it("counts a queue's dead letter from when its message was sent to the queue, not from when it was moved", () => {
    const file = join(directory, 'settlement-dead-letters.jsonl');
    const letter = (messageId: string, sentAt: string, at: string): QueueDeadLetter => ({
      queue: 'settlement',
      function: 'settlement',
      messageId,
      receiveCount: 5,
      body: '{}',
      at,
      sentAt: Date.parse(sentAt),
    });
    // Sent 15 days ago, moved a day later: SQS deleted it a day ago.
    new JsonLines<QueueDeadLetter>(file).append([
      letter('waited-long', ago(15 * DAY), ago(14 * DAY)),
      letter('moved-at-once', ago(13 * DAY), ago(13 * DAY)),
    ]);

    const queue = aSettlementQueue({ deadLetters: file });
    const kept = queue.deadLetters().map((d) => d.messageId);
    const depth = queue.depth().deadLetters;
    queue.stop();

    expect(kept).toEqual(['moved-at-once']);
    expect(depth).toBe(1);
    expect(new JsonLines<QueueDeadLetter>(file).read().map((d) => d.messageId)).toEqual(['moved-at-once']);
  });

  it("keeps a schedule's dead letter 14 days from when it was kept, or, kept before it said when, from its occurrence", () => {
    const file = join(directory, 'schedules.jsonl');
    const lettersFile = join(directory, 'schedule-dead-letters.jsonl');
    const letter = (name: string, scheduledFor: string, at?: string): ScheduleDeadLetter => ({
      deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:backline-schedule-dead-letters',
      name,
      groupName: 'default',
      scheduledFor,
      ...(at ? { at } : {}),
      attempts: 1,
      error: 'refused',
      target: {
        busName: 'backline',
        source: 'backline.scheduler',
        detailType: 'Outbox Sweep Due',
        detail: '{}',
      },
    });
    new JsonLines<ScheduleDeadLetter>(lettersFile).append([
      letter('old', ago(15 * DAY), ago(14 * DAY + 60_000)),
      letter('caught-up-late', ago(15 * DAY), ago(2 * DAY)),
      letter('old-without-at', ago(14 * DAY + 60_000)),
    ]);

    const scheduler = createLocalScheduler({ clock, file, putEvents: async () => {} });
    const kept = scheduler.deadLetters().map((d) => d.name);
    const expired = scheduler.expiredDeadLetters().map((d) => d.name);
    scheduler.stop();

    expect(kept).toEqual(['caught-up-late']);
    expect(expired).toEqual(['old', 'old-without-at']);
    expect(new JsonLines<ScheduleDeadLetter>(lettersFile).read().map((d) => d.name)).toEqual([
      'caught-up-late',
    ]);
  });

  it("keeps a stream mapping's on-failure record 14 days", () => {
    const file = join(directory, 'stream-dead-letters.jsonl');
    const letter = (shardId: string, at: string): StreamDeadLetter => ({
      function: 'publisher',
      condition: 'RetryAttemptsExhausted',
      attempts: 3,
      error: 'down',
      at,
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: '1',
        endSequenceNumber: '2',
        batchSize: 2,
        streamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x',
      },
    });
    new JsonLines<StreamDeadLetter>(file).append([
      letter('old', ago(14 * DAY + 60_000)),
      letter('young', ago(DAY)),
    ]);

    const letters = new StreamDeadLetters(file);
    const kept = letters.list().map((d) => d.DDBStreamBatchInfo.shardId);
    letters.close();

    expect(kept).toEqual(['young']);
    expect(new JsonLines<StreamDeadLetter>(file).read().map((d) => d.DDBStreamBatchInfo.shardId)).toEqual([
      'young',
    ]);
  });
});

describe('queue messages read back from the data folder', () => {
  it('are gone 14 days after they were sent to the queue, received or not, as SQS deletes them, and named among what expired', async () => {
    const journal = join(directory, 'settlement.jsonl');
    const sentAt = (ms: number) => Date.parse(ago(ms));
    // Sent before the local cloud stopped; 14 days passed for the first before it started again.
    new JsonLines<Record<string, unknown>>(journal).append([
      { op: 'sent', id: 'sent-long-ago', body: 'old', sentAt: sentAt(14 * DAY + 60_000) },
      {
        op: 'received',
        id: 'sent-long-ago',
        receiveCount: 1,
        visibleAt: sentAt(14 * DAY),
        firstReceivedAt: sentAt(14 * DAY + 60_000),
      },
      { op: 'sent', id: 'sent-lately', body: 'young', sentAt: sentAt(14 * DAY - 60_000) },
    ]);
    const received: string[] = [];

    const queue = aSettlementQueue({ journal }, async (records) => {
      received.push(...records.map((record) => record.body));
      return {};
    });
    queue.start();
    await queue.whenIdle();
    const expired = queue.expiredDeadLetters().map((m) => m.messageId);
    queue.stop();

    expect(received).toEqual(['young']);
    expect(expired).toEqual(['sent-long-ago']);
    expect(new JsonLines<{ id: string }>(journal).read().map((entry) => entry.id)).not.toContain(
      'sent-long-ago',
    );
  });
});
