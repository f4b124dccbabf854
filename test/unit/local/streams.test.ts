import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as SdkRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it, vi } from 'vitest';
import { compilePattern } from '#infra/local/bus/pattern.ts';
import { deliverBatch } from '#infra/local/streams/batch.ts';
import { StreamDeadLetters } from '#infra/local/streams/dead-letters.ts';
import { type LambdaStreamRecord, StreamMapping } from '#infra/local/streams/mapping.ts';
import { ShardPositions } from '#infra/local/streams/positions.ts';
import { outboxItem, outboxStreamFilter } from '#shared/db/outbox.ts';
import { OutletSuppressed, outboxEntry } from '#shared/events/index.ts';

const record = (seq: number) => ({ dynamodb: { SequenceNumber: String(seq) } });
const records = (count: number) => Array.from({ length: count }, (_, i) => record(i + 1));
const seqs = (batch: { dynamodb: { SequenceNumber: string } }[]) =>
  batch.map((r) => Number(r.dynamodb.SequenceNumber));
const policy = { retryAttempts: 2, bisectBatchOnError: true, retryBaseMs: 1 };
const noWait = async () => {};

/** A stream record as Lambda's filter sees it, with its new image in DynamoDB JSON. */
const streamRecord = (eventName: string, image?: Record<string, string>) => ({
  eventName,
  eventSource: 'aws:dynamodb',
  dynamodb: {
    SequenceNumber: '1',
    ...(image ? { NewImage: Object.fromEntries(Object.entries(image).map(([k, v]) => [k, { S: v }])) } : {}),
  },
});

/**
 * One shard of a table stream holding unpublished outbox entries, read through a fake of the SDK
 * client (an iterator is the index of the next record), and a mapping on it that notes the
 * sequence numbers each invocation gets.
 */
function aMappedStream() {
  const written: SdkRecord[] = [];
  const client = {
    send: async (command: unknown) => {
      if (command instanceof DescribeStreamCommand)
        return { StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } };
      if (command instanceof GetShardIteratorCommand)
        return { ShardIterator: String(Number(command.input.SequenceNumber ?? 0)) };
      if (command instanceof GetRecordsCommand) {
        const from = Number(command.input.ShardIterator);
        return { Records: written.slice(from), NextShardIterator: String(written.length) };
      }
      throw new Error('unexpected command');
    },
  } as unknown as DynamoDBStreamsClient;
  const handed: number[][] = [];
  const mapping = new StreamMapping({
    functionName: 'publisher',
    trigger: {
      kind: 'stream',
      filter: outboxStreamFilter,
      batchSize: 100,
      retryAttempts: 0,
      bisectBatchOnError: false,
    },
    streamArn: 'arn:stream/1',
    region: 'us-east-1',
    client,
    invoke: async (_name, event: { Records: LambdaStreamRecord[] }) => {
      handed.push(seqs(event.Records));
    },
    retryBaseMs: 1,
    pollIntervalMs: 5,
    onFailure: () => {},
  });
  const write = (count: number) => {
    for (let i = 0; i < count; i++) {
      const seq = String(written.length + 1);
      written.push({
        eventName: 'INSERT',
        dynamodb: { SequenceNumber: seq, NewImage: { gsi2pk: { S: 'OUTBOX#UNPUBLISHED#0' } } },
      });
    }
  };
  return { mapping, handed, write };
}

describe('the local event source mapping', () => {
  it('reads nothing while disabled, and once enabled again hands over what was written meanwhile, once', async () => {
    const { mapping, handed, write } = aMappedStream();
    mapping.start();
    write(2);
    await vi.waitFor(() => expect(handed).toEqual([[1, 2]]));

    mapping.setEnabled(false);
    write(3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const whileDisabled = { handed: handed.length, caughtUp: await mapping.caughtUp() };
    mapping.setEnabled(true);
    await vi.waitFor(() => expect(handed).toHaveLength(2));
    await mapping.stop();

    expect(whileDisabled).toEqual({ handed: 1, caughtUp: 0 });
    expect(handed).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it("selects only unpublished outbox entries with the topology's filter, in the record shape Lambda filters", () => {
    const matches = compilePattern(outboxStreamFilter);
    const item = outboxItem(outboxEntry(OutletSuppressed, OutletSuppressed.sample), '2027-03-05T12:00:00Z');
    const image = Object.fromEntries(Object.entries(item).map(([k, v]) => [k, String(v)]));
    const { gsi2pk: _pk, gsi2sk: _sk, ...published } = image;

    expect(matches(streamRecord('INSERT', image))).toBe(true);
    expect(matches(streamRecord('MODIFY', image))).toBe(true);
    expect(matches(streamRecord('MODIFY', { ...published, status: 'published' }))).toBe(false);
    // Parked: moved to the parked index's partition, which the sweep and the stream leave alone.
    expect(
      matches(
        streamRecord('MODIFY', { ...published, status: 'parked', gsi2pk: 'OUTBOX#PARKED', gsi2sk: 'x' }),
      ),
    ).toBe(false);
    expect(
      matches(streamRecord('INSERT', { pk: 'DELIVERY#1', sk: 'DELIVERY', gsi2pk: 'MAIL_CLAIMS#3' })),
    ).toBe(false);
    expect(matches(streamRecord('REMOVE'))).toBe(false);
  });

  it('hands a batch over once when the function succeeds', async () => {
    const seen: number[][] = [];

    const failed = await deliverBatch(
      records(3),
      async (batch) => void seen.push(seqs(batch)),
      policy,
      noWait,
    );

    expect(failed).toEqual([]);
    expect(seen).toEqual([[1, 2, 3]]);
  });

  it('retries from the first record the function reported failed, keeping the checkpoint before it', async () => {
    const seen: number[][] = [];
    let calls = 0;

    const failed = await deliverBatch(
      records(4),
      async (batch) => {
        seen.push(seqs(batch));
        return ++calls === 1 ? { batchItemFailures: [{ itemIdentifier: '3' }] } : { batchItemFailures: [] };
      },
      policy,
      noWait,
    );

    expect(failed).toEqual([]);
    expect(seen).toEqual([
      [1, 2, 3, 4],
      [3, 4],
    ]);
  });

  it('splits a batch in two when the function throws, so one poison record fails alone', async () => {
    const seen: number[][] = [];

    const failed = await deliverBatch(
      records(4),
      async (batch) => {
        seen.push(seqs(batch));
        if (seqs(batch).includes(3)) throw new Error('poison');
      },
      policy,
      noWait,
    );

    expect(failed.map((f) => [seqs(f.records), f.attempts])).toEqual([[[3], 5]]);
    expect(failed[0].error).toBe('Error: poison');
    expect(seen).toEqual([[1, 2, 3, 4], [1, 2], [3, 4], [3], [3], [3], [4]]);
  });

  it('gives a batch up after its retries, without bisecting when that is off', async () => {
    let calls = 0;

    const failed = await deliverBatch(
      records(2),
      async () => {
        calls++;
        throw new Error('down');
      },
      { ...policy, bisectBatchOnError: false },
      noWait,
    );

    expect(calls).toBe(3);
    expect(failed.map((f) => [seqs(f.records), f.attempts])).toEqual([[[1, 2], 3]]);
  });

  it('keeps shard positions in the data folder, so a restart resumes after the last record handled', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'backline-streams-')), 'positions.json');
    const before = new ShardPositions('arn:stream/1', file);
    before.advance('shard-1', '000120');
    before.finish('shard-0');

    const after = new ShardPositions('arn:stream/1', file);
    const otherTable = new ShardPositions('arn:stream/2', file);

    expect(after.get('shard-1')).toEqual({ after: '000120' });
    expect(after.get('shard-0')).toEqual({ finished: true });
    expect(otherTable.get('shard-1')).toEqual({});
  });

  it('keeps the on-failure records of given-up batches in the data folder across a restart, until a redrive takes them out', () => {
    // docs/design.md#failures-and-retries: dead letters persist in the data folder (GET /_local/dlq).
    const file = join(mkdtempSync(join(tmpdir(), 'backline-streams-')), 'stream-dead-letters.jsonl');
    const letter = {
      function: 'publisher' as const,
      condition: 'RetryAttemptsExhausted' as const,
      attempts: 4,
      error: 'Error: down',
      at: '2027-03-01T12:00:00.000Z',
      DDBStreamBatchInfo: {
        shardId: 'shard-1',
        startSequenceNumber: '000120',
        endSequenceNumber: '000121',
        batchSize: 2,
        streamArn: 'arn:stream/1',
      },
    };
    const before = new StreamDeadLetters(file);
    before.add(letter);
    before.close();

    // kill; `npm start` again on the folder.
    const after = new StreamDeadLetters(file);
    const held = after.list();
    const redriven = after.redrive();
    after.close();
    const third = new StreamDeadLetters(file);

    expect(held).toEqual([letter]);
    expect(redriven).toBe(1);
    expect(after.list()).toEqual([]);
    expect(third.list()).toEqual([]);
  });
});
