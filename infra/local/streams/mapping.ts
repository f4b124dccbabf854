import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as SdkRecord,
  type Shard,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { FunctionName, StreamTrigger } from '../../topology.ts';
import { compilePattern, type EventMatcher } from '../bus/pattern.ts';
import { type BatchPolicy, deliverBatch, type StreamRecordLike } from './batch.ts';
import { ShardPositions } from './positions.ts';

/** A stream record as Lambda hands it to a function (DynamoDB JSON images, creation time in epoch seconds). */
export interface LambdaStreamRecord extends StreamRecordLike {
  eventID: string;
  eventName: string;
  eventVersion: string;
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  eventSourceARN: string;
  dynamodb: StreamRecordLike['dynamodb'] & Record<string, unknown>;
}

/** What a stream mapping's on-failure destination is told of a batch it gave up (Lambda's record, abridged). */
export interface StreamDeadLetter {
  function: FunctionName;
  condition: 'RetryAttemptsExhausted';
  attempts: number;
  error: string;
  at: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    batchSize: number;
    streamArn: string;
  };
}

export interface StreamMappingOptions {
  functionName: FunctionName;
  trigger: StreamTrigger;
  streamArn: string;
  region: string;
  client: DynamoDBStreamsClient;
  invoke: (name: FunctionName, event: { Records: LambdaStreamRecord[] }) => Promise<unknown>;
  retryBaseMs: number;
  /** Where shard positions are journalled; none = in memory. */
  positionsFile?: string;
  /** Lambda polls a DynamoDB stream's shards four times a second. */
  pollIntervalMs?: number;
  /**
   * How far the local clock runs ahead of the machine's (`VirtualClock.offsetMs`): DynamoDB Local dates
   * a record by the machine's clock, the functions read the local clock, and on AWS the two agree.
   */
  clockOffsetMs?: () => number;
  onFailure: (deadLetter: StreamDeadLetter) => void;
}

/** DynamoDB Streams: at most 1,000 records per GetRecords call. */
const recordsPerRead = 1000;

/**
 * A Lambda event source mapping on the table's DynamoDB stream, for the local cloud: it reads
 * DynamoDB Local's stream shard by shard (a child shard after its parent, records in write order),
 * keeps the records that pass the trigger's filter (Lambda filter criteria: EventBridge's pattern
 * language, the same matcher as the local bus), hands them to the function in batches of up to
 * `batchSize` with the retry, bisect and partial-batch semantics of deliverBatch, and journals where
 * it stands in each shard. See docs/design.md#the-outbox.
 */
export class StreamMapping {
  readonly #options: StreamMappingOptions;
  readonly #matches: EventMatcher;
  readonly #positions: ShardPositions;
  readonly #iterators = new Map<string, string>();
  #shards: Shard[] = [];
  #shardsReadAt = 0;
  #chain: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #enabled = true;

  constructor(options: StreamMappingOptions) {
    this.#options = options;
    this.#matches = compilePattern(options.trigger.filter);
    this.#positions = new ShardPositions(options.streamArn, options.positionsFile);
  }

  start(): void {
    this.#running = true;
    const tick = async () => {
      if (this.#enabled)
        await this.poll().catch((error) =>
          console.error(`stream mapping ${this.#options.functionName}:`, error),
        );
      if (this.#running) this.#timer = setTimeout(tick, this.#options.pollIntervalMs ?? 250);
    };
    this.#timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#chain.catch(() => {});
  }

  /** Reads every shard once and delivers what it found; resolves with how many records were read. Polls never overlap. */
  poll(): Promise<number> {
    const next = this.#chain.then(() => this.#pollOnce());
    this.#chain = next.catch(() => {});
    return next;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /**
   * `UpdateEventSourceMapping`'s `Enabled`: a disabled mapping reads nothing (a batch under way
   * finishes); its records wait in the stream, and once enabled again it reads on from where it stood.
   */
  setEnabled(enabled: boolean): void {
    this.#enabled = enabled;
  }

  /**
   * Resolves once the stream has no record this mapping has not handled (what was written before the
   * call); at once while the mapping is disabled, since it handles nothing then.
   */
  async caughtUp(): Promise<number> {
    let total = 0;
    for (;;) {
      if (!this.#enabled) return total;
      const read = await this.poll();
      if (read === 0) return total;
      total += read;
    }
  }

  async #pollOnce(): Promise<number> {
    const shards = await this.#readableShards();
    let read = 0;
    for (const shard of shards) read += await this.#readShard(shard.ShardId!);
    return read;
  }

  /** Shards not finished whose parent is finished or gone: a child's records come after its parent's. */
  async #readableShards(): Promise<Shard[]> {
    const stale = Date.now() - this.#shardsReadAt > 5_000;
    if (stale || this.#shards.length === 0) {
      const shards: Shard[] = [];
      let start: string | undefined;
      do {
        const { StreamDescription } = await this.#options.client.send(
          new DescribeStreamCommand({ StreamArn: this.#options.streamArn, ExclusiveStartShardId: start }),
        );
        shards.push(...(StreamDescription?.Shards ?? []));
        start = StreamDescription?.LastEvaluatedShardId;
      } while (start);
      this.#shards = shards;
      this.#shardsReadAt = Date.now();
      this.#positions.keepOnly(new Set(shards.map((shard) => shard.ShardId!)));
    }
    const known = new Set(this.#shards.map((shard) => shard.ShardId));
    return this.#shards.filter(
      (shard) =>
        !this.#positions.get(shard.ShardId!).finished &&
        (!shard.ParentShardId ||
          !known.has(shard.ParentShardId) ||
          this.#positions.get(shard.ParentShardId).finished),
    );
  }

  async #iterator(shardId: string): Promise<string> {
    const kept = this.#iterators.get(shardId);
    if (kept) return kept;
    const { after } = this.#positions.get(shardId);
    const { ShardIterator } = await this.#options.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.#options.streamArn,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    if (!ShardIterator) throw new Error(`no iterator for shard ${shardId}`);
    return ShardIterator;
  }

  async #readShard(shardId: string): Promise<number> {
    let records: SdkRecord[];
    let next: string | undefined;
    try {
      const result = await this.#options.client.send(
        new GetRecordsCommand({ ShardIterator: await this.#iterator(shardId), Limit: recordsPerRead }),
      );
      records = result.Records ?? [];
      next = result.NextShardIterator;
    } catch (error) {
      // An iterator lives 15 minutes: start again from the journalled position. A position older than
      // the stream's 24 hours was trimmed: start from the oldest record still there.
      this.#iterators.delete(shardId);
      if (error instanceof ExpiredIteratorException) return 0;
      if (error instanceof TrimmedDataAccessException) {
        this.#positions.restart(shardId);
        return 0;
      }
      throw error;
    }
    const shaped = records.map((record) => this.#lambdaRecord(record));
    const chosen = shaped.filter((record) => this.#matches(record));
    const { batchSize } = this.#options.trigger;
    for (let start = 0; start < chosen.length; start += batchSize) {
      await this.#deliver(shardId, chosen.slice(start, start + batchSize));
      this.#positions.advance(
        shardId,
        chosen[Math.min(start + batchSize, chosen.length) - 1].dynamodb.SequenceNumber,
      );
    }
    // Records the filter dropped are handled too: the position moves past them.
    const last = shaped.at(-1);
    if (last) this.#positions.advance(shardId, last.dynamodb.SequenceNumber);
    if (next) this.#iterators.set(shardId, next);
    else {
      // A closed shard, read to its end: its children come next.
      this.#iterators.delete(shardId);
      this.#positions.finish(shardId);
    }
    return records.length;
  }

  async #deliver(shardId: string, records: LambdaStreamRecord[]): Promise<void> {
    const { functionName, trigger, invoke, retryBaseMs, streamArn, onFailure } = this.#options;
    const policy: BatchPolicy = {
      retryAttempts: trigger.retryAttempts,
      bisectBatchOnError: trigger.bisectBatchOnError,
      retryBaseMs,
    };
    const failed = await deliverBatch(records, (batch) => invoke(functionName, { Records: batch }), policy);
    for (const batch of failed) {
      onFailure({
        function: functionName,
        condition: 'RetryAttemptsExhausted',
        attempts: batch.attempts,
        error: batch.error,
        at: new Date().toISOString(),
        DDBStreamBatchInfo: {
          shardId,
          startSequenceNumber: batch.records[0].dynamodb.SequenceNumber,
          endSequenceNumber: batch.records.at(-1)!.dynamodb.SequenceNumber,
          batchSize: batch.records.length,
          streamArn,
        },
      });
    }
  }

  #lambdaRecord(record: SdkRecord): LambdaStreamRecord {
    const { ApproximateCreationDateTime, ...dynamodb } = record.dynamodb ?? {};
    return {
      eventID: record.eventID ?? '',
      eventName: record.eventName ?? '',
      eventVersion: record.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.#options.region,
      eventSourceARN: this.#options.streamArn,
      dynamodb: {
        ...dynamodb,
        SequenceNumber: dynamodb.SequenceNumber ?? '',
        // In the local clock's time, as the functions read now (docs/design.md#the-local-clock): dated by
        // the machine's clock, a record read after a jump of a day looked a day old to the publisher.
        ...(ApproximateCreationDateTime
          ? {
              ApproximateCreationDateTime: Math.floor(
                (ApproximateCreationDateTime.getTime() + (this.#options.clockOffsetMs?.() ?? 0)) / 1000,
              ),
            }
          : {}),
      },
    };
  }
}
