import { createHash, randomUUID } from 'node:crypto';
import { type FunctionName, type QueueTrigger, queueRetentionSeconds } from '../../topology.ts';
import { takeOutExpired } from '../dead-letters.ts';
import type { Faults } from '../faults.ts';
import { JsonLines } from '../jsonl.ts';

/**
 * One SQS queue and the Lambda event source mapping that reads it, for the local cloud (see
 * docs/design.md#queues). As on AWS:
 * - the mapping gathers visible messages for up to the trigger's batching window, or until it has a
 *   full batch, then invokes the function with `{Records}` shaped as Lambda's SQS records; a few
 *   batches run at once;
 * - a received message is invisible for the visibility timeout; the function's success deletes the
 *   batch, except the messages it names in `batchItemFailures` (an identifier not in the batch fails
 *   the whole batch); a throw deletes nothing; what is not deleted comes back once its timeout ends;
 * - a message received `maxReceiveCount` times is moved to the dead-letter queue at its next receive;
 * - a message sent (or moved back from the dead letters) can be received only after the trigger's
 *   delivery delay.
 * Times are the local clock's (`Date.now()`), so moving the clock brings back waiting messages. While
 * something waits for the queue to be idle (`/_local/idle`, a jump of the clock), a batch goes without
 * waiting out the batching window or a delivery delay: only the wait is shorter (a delay spares the
 * function work that a sooner batch does anyway, see docs/design.md#queues).
 * Everything is journalled in the data folder (sent synced before `send` returns), so a `kill -9`
 * loses no message: what was in flight comes back after its visibility timeout, as on SQS. A message
 * the queue kept past its retention (queueRetentionSeconds) while the local cloud was stopped is gone
 * at the next start, as SQS deletes it, received or not.
 *
 * Faults (docs/design.md#local-faults): `sqs.send-fail[:queue]` refuses a message from the bus (its
 * rule retries), `sqs.redeliver[:queue]` loses the deletion of a handled batch, so it comes back, and
 * `sqs.duplicate[:queue]` hands a batch's messages to a second batch at the same instant.
 */

/** A record of Lambda's SQS event. */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: {
    ApproximateReceiveCount: string;
    SentTimestamp: string;
    SenderId: string;
    ApproximateFirstReceiveTimestamp: string;
  };
  messageAttributes: Record<string, never>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

/** Sent and never received yet, still waiting out the delivery delay (not a visibility timeout). */
const isDelayed = (m: Message, now: number) => m.receiveCount === 0 && m.visibleAt > now;

interface Message {
  id: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** When it can be received (again): after the delivery delay, then after each receive's visibility timeout. */
  visibleAt: number;
}

export interface QueueDeadLetter {
  queue: string;
  function: FunctionName;
  messageId: string;
  receiveCount: number;
  body: string;
  at: string;
  /**
   * When the message was sent to its queue (epoch ms): SQS's redrive policy keeps that enqueue time when
   * it moves a message to the dead-letter queue, whose retention counts from it. A letter kept before
   * December 2026 has none, and counts from its `at`.
   */
  sentAt?: number;
}

type Entry =
  /** `from`: a redrive's, the dead letter it moved back. */
  | { op: 'sent'; id: string; body: string; sentAt: number; from?: string }
  | { op: 'received'; id: string; receiveCount: number; visibleAt: number; firstReceivedAt: number }
  | { op: 'deleted' | 'dead'; id: string };

export interface LocalQueueOptions {
  functionName: FunctionName;
  trigger: QueueTrigger;
  invoke: (name: FunctionName, event: { Records: SqsRecord[] }) => Promise<unknown>;
  faults: Faults;
  account: string;
  region: string;
  /** Where the queue is journalled (and its dead letters kept); none = in memory. */
  files?: { journal: string; deadLetters: string };
  /** How often the mapping looks for visible messages. */
  pollIntervalMs?: number;
}

export class LocalQueue {
  readonly #options: LocalQueueOptions;
  readonly #messages = new Map<string, Message>();
  readonly #inFlight = new Set<string>();
  readonly #deadLetters: QueueDeadLetter[] = [];
  readonly #expired: QueueDeadLetter[] = [];
  readonly #journal: JsonLines<Entry> | undefined;
  readonly #deadLetterFile: JsonLines<QueueDeadLetter> | undefined;
  readonly #arn: string;
  #batches = 0;
  #gatheringSince: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];
  #pollQueued = false;

  constructor(options: LocalQueueOptions) {
    this.#options = options;
    this.#arn = `arn:aws:sqs:${options.region}:${options.account}:${options.trigger.queue}`;
    this.#journal = options.files ? new JsonLines(options.files.journal) : undefined;
    this.#deadLetterFile = options.files ? new JsonLines(options.files.deadLetters) : undefined;
    this.#open();
  }

  get name(): string {
    return this.#options.trigger.queue;
  }

  /** SendMessage (what the bus's rule does with each matching event): durable before it returns. */
  send(body: string): string {
    if (this.#options.faults.takeFor('sqs.send-fail', this.name)) {
      throw new Error(`injected fault sqs.send-fail: queue ${this.name} refused the message`);
    }
    const sentAt = Date.now();
    const message: Message = {
      id: randomUUID(),
      body,
      sentAt,
      receiveCount: 0,
      visibleAt: this.#delayed(sentAt),
    };
    this.#messages.set(message.id, message);
    this.#journal?.append([{ op: 'sent', id: message.id, body, sentAt }], { sync: true });
    // A message waiting out the delivery delay is found by the poll that runs when it is due; only one
    // receivable now (or while someone waits for the queue to be idle) may make a batch go sooner.
    if (message.visibleAt <= sentAt || this.#idleWaiters.length > 0) this.#pollSoon();
    return message.id;
  }

  start(): void {
    this.#running = true;
    const tick = () => {
      this.#poll();
      if (this.#running) this.#timer = setTimeout(tick, this.#options.pollIntervalMs ?? 100);
    };
    this.#timer = setTimeout(tick, 0);
  }

  /**
   * Stops the mapping before the local cloud stops what the function calls: no batch starts from now
   * on (one would fail as DynamoDB Local stops under it, a receive spent for the stop); what it holds
   * waits in the journal for the next start.
   */
  stop(): void {
    this.#running = false;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#journal?.close();
    this.#deadLetterFile?.close();
  }

  /** Messages waiting (visible, delayed, or invisible after a receive) and in flight, and the dead letters. */
  depth(): { visible: number; delayed: number; invisible: number; inFlight: number; deadLetters: number } {
    const now = Date.now();
    const waiting = [...this.#messages.values()].filter((m) => !this.#inFlight.has(m.id));
    const hidden = waiting.filter((m) => m.visibleAt > now);
    const delayed = hidden.filter((m) => isDelayed(m, now)).length;
    return {
      visible: waiting.length - hidden.length,
      delayed,
      invisible: hidden.length - delayed,
      inFlight: this.#inFlight.size,
      deadLetters: this.#dropExpired().length,
    };
  }

  deadLetters(): QueueDeadLetter[] {
    return this.#dropExpired();
  }

  /**
   * Drops the dead letters older than the dead-letter queue's retention, counted from when their message
   * was first sent, as SQS deletes them, and out of their file too. Only once the journal was read (#open):
   * a kept letter says where its message is at start, whatever its age.
   */
  #dropExpired(): QueueDeadLetter[] {
    if (takeOutExpired(this.#deadLetters, (letter) => letter.sentAt ?? letter.at, this.#expired))
      this.#deadLetterFile?.rewrite(this.#deadLetters);
    return this.#deadLetters;
  }

  /**
   * The dead letters that outlived their retention in this run, and the messages found past the queue's
   * own at start (#open).
   */
  expiredDeadLetters(): QueueDeadLetter[] {
    this.#dropExpired();
    return [...this.#expired];
  }

  /**
   * Resolves once no message is visible or delayed and no batch runs. A message waiting out its
   * visibility timeout does not count: it comes back when the clock reaches it.
   */
  whenIdle(): Promise<void> {
    if (this.#idle()) return Promise.resolve();
    const idle = new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    this.#poll();
    return idle;
  }

  #idle(): boolean {
    // Stopped, it starts no batch: what it holds waits for the next start, not for this wait.
    if (this.#stopped) return this.#batches === 0;
    const { visible, delayed, inFlight } = this.depth();
    return visible === 0 && delayed === 0 && inFlight === 0 && this.#batches === 0;
  }

  #notifyIdle(): void {
    if (this.#idleWaiters.length === 0 || !this.#idle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** When a message sent at `sentAt` can first be received. */
  #delayed(sentAt: number): number {
    return sentAt + this.#options.trigger.deliveryDelaySeconds * 1000;
  }

  /** One poll after the messages sent in this turn, not one per message. */
  #pollSoon(): void {
    if (this.#pollQueued) return;
    this.#pollQueued = true;
    queueMicrotask(() => {
      this.#pollQueued = false;
      this.#poll();
    });
  }

  /** Starts the batches that are due: full, or gathered for the whole batching window. */
  #poll(): void {
    const { batchSize, batchingWindowSeconds } = this.#options.trigger;
    const now = Date.now();
    // Someone waits for the queue to be idle (a test, a jump of the clock): what has gathered goes
    // now, delayed messages too.
    const flush = this.#idleWaiters.length > 0;
    const receivable = (m: Message) => m.visibleAt <= now || (flush && isDelayed(m, now));
    while (!this.#stopped && this.#batches < this.#options.trigger.maxConcurrency) {
      const visible = this.#firstReceivable(batchSize, receivable);
      if (visible.length === 0) {
        this.#gatheringSince = undefined;
        break;
      }
      this.#gatheringSince ??= now;
      const full = visible.length >= batchSize;
      if (!full && !flush && now - this.#gatheringSince < batchingWindowSeconds * 1000) break;
      this.#gatheringSince = undefined;
      void this.#run(visible.slice(0, batchSize), now);
    }
    this.#notifyIdle();
  }

  /**
   * Up to `limit` messages not in flight that `receivable` lets through, in the order they were sent
   * (the map keeps it: a message comes back from its visibility timeout in its place). Polls run
   * often (on each tick, after each batch, on a send that is receivable at once), so this stops at a
   * full batch and builds nothing for the messages it passes.
   */
  #firstReceivable(limit: number, receivable: (m: Message) => boolean): Message[] {
    const found: Message[] = [];
    for (const message of this.#messages.values()) {
      if (this.#inFlight.has(message.id) || !receivable(message)) continue;
      found.push(message);
      if (found.length === limit) break;
    }
    return found;
  }

  async #run(candidates: Message[], now: number): Promise<void> {
    const { trigger, functionName, invoke, faults } = this.#options;
    const batch: Message[] = [];
    for (const message of candidates) {
      // SQS moves a message to the dead-letter queue when a receive would exceed maxReceiveCount.
      if (message.receiveCount >= trigger.maxReceiveCount) {
        this.#deadLetter(message);
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + trigger.visibilityTimeoutSeconds * 1000;
      this.#inFlight.add(message.id);
      batch.push(message);
    }
    this.#journal?.append(
      batch.map((m) => ({
        op: 'received' as const,
        id: m.id,
        receiveCount: m.receiveCount,
        visibleAt: m.visibleAt,
        firstReceivedAt: m.firstReceivedAt!,
      })),
    );
    if (batch.length === 0) return;
    this.#batches++;
    try {
      let handled: Message[] = [];
      const attempt = async (): Promise<Message[]> => {
        try {
          const response = await invoke(functionName, { Records: batch.map((m) => this.#record(m)) });
          return this.#handled(batch, response);
        } catch {
          // A throw or a crash: nothing is deleted; the batch comes back after its visibility timeout.
          return [];
        }
      };
      if (faults.takeFor('sqs.duplicate', this.name)) {
        // A standard queue delivers at least once: the same messages in a second batch at the same
        // instant. Either batch's deletion of a message deletes it.
        const [first, second] = await Promise.all([attempt(), attempt()]);
        handled = batch.filter((m) => first.includes(m) || second.includes(m));
      } else handled = await attempt();
      if (handled.length > 0 && faults.takeFor('sqs.redeliver', this.name)) handled = [];
      for (const message of handled) this.#messages.delete(message.id);
      this.#journal?.append(handled.map((m) => ({ op: 'deleted' as const, id: m.id })));
    } finally {
      for (const message of batch) this.#inFlight.delete(message.id);
      this.#batches--;
      this.#pollSoon();
    }
  }

  /** The messages a successful invocation finished: all but those named in `batchItemFailures`. */
  #handled(batch: Message[], response: unknown): Message[] {
    const failures = (response as { batchItemFailures?: { itemIdentifier?: unknown }[] } | null)
      ?.batchItemFailures;
    if (!Array.isArray(failures) || failures.length === 0) return batch;
    const failed = new Set(failures.map((failure) => String(failure?.itemIdentifier ?? '')));
    // Lambda: an identifier that is not in the batch makes the whole batch failed.
    if ([...failed].some((id) => !batch.some((m) => m.id === id))) return [];
    return batch.filter((m) => !failed.has(m.id));
  }

  /**
   * Moves every dead letter back to this queue as a new message, as SQS's dead-letter queue redrive
   * (StartMessageMoveTask) does: journalled as sent before the dead letters are dropped, so a crash
   * mid-redrive loses none. Answers how many moved.
   */
  redrive(): number {
    const letters = this.#dropExpired().splice(0);
    const now = Date.now();
    const moved = letters.map(
      (letter): Message => ({
        id: randomUUID(),
        body: letter.body,
        sentAt: now,
        receiveCount: 0,
        visibleAt: this.#delayed(now),
      }),
    );
    this.#journal?.append(
      moved.map((m, i) => ({
        op: 'sent' as const,
        id: m.id,
        body: m.body,
        sentAt: m.sentAt,
        from: letters[i].messageId,
      })),
      { sync: true },
    );
    this.#deadLetterFile?.rewrite([]);
    for (const message of moved) this.#messages.set(message.id, message);
    this.#pollSoon();
    return moved.length;
  }

  /** `message` as a dead letter, taken out of the queue `at`. */
  #letterOf(message: Message, at: Date): QueueDeadLetter {
    return {
      queue: this.name,
      function: this.#options.functionName,
      messageId: message.id,
      receiveCount: message.receiveCount,
      body: message.body,
      at: at.toISOString(),
      sentAt: message.sentAt,
    };
  }

  #deadLetter(message: Message): void {
    const letter = this.#letterOf(message, new Date());
    this.#messages.delete(message.id);
    this.#deadLetters.push(letter);
    this.#deadLetterFile?.append([letter], { sync: true });
    this.#journal?.append([{ op: 'dead', id: message.id }]);
  }

  #record(message: Message): SqsRecord {
    return {
      messageId: message.id,
      receiptHandle: `${message.id}#${message.receiveCount}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'events.amazonaws.com',
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(message.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: this.#arn,
      awsRegion: this.#options.region,
    };
  }

  /** Reads what the last run left in the queue and compacts the journal to exactly that. */
  #open(): void {
    if (!this.#journal) return;
    // A kept dead letter is where its message is, whatever the journal says: a kill between the letter
    // and its `dead` line, or between a redrive's `sent` line and the letters taken out, left both.
    const deadLetters = this.#deadLetterFile!.read();
    const dead = new Set(deadLetters.map((letter) => letter.messageId));
    for (const entry of this.#journal.read()) {
      if (entry.op === 'sent') {
        if (entry.from !== undefined && dead.has(entry.from)) continue;
        this.#messages.set(entry.id, {
          id: entry.id,
          body: entry.body,
          sentAt: entry.sentAt,
          receiveCount: 0,
          visibleAt: this.#delayed(entry.sentAt),
        });
        continue;
      }
      const message = this.#messages.get(entry.id);
      if (!message) continue;
      if (entry.op === 'received') {
        message.receiveCount = entry.receiveCount;
        message.visibleAt = entry.visibleAt;
        message.firstReceivedAt = entry.firstReceivedAt;
      } else this.#messages.delete(entry.id);
    }
    for (const id of dead) this.#messages.delete(id);
    // What outlived the queue's retention while nothing ran is gone, as SQS deletes it; while the local
    // cloud runs, a message comes back in time (a jump of the clock brings it back after the jump, where
    // SQS hands it over within its visibility timeout), so none expires then (docs/design.md#queues).
    const expired: Message[] = [];
    takeOutExpired([...this.#messages.values()], (message) => message.sentAt, expired, queueRetentionSeconds);
    for (const message of expired) {
      this.#messages.delete(message.id);
      this.#expired.push(this.#letterOf(message, new Date(message.sentAt + queueRetentionSeconds * 1000)));
    }
    this.#journal.rewrite(
      [...this.#messages.values()].flatMap((m): Entry[] => [
        { op: 'sent', id: m.id, body: m.body, sentAt: m.sentAt },
        ...(m.receiveCount > 0
          ? [
              {
                op: 'received' as const,
                id: m.id,
                receiveCount: m.receiveCount,
                visibleAt: m.visibleAt,
                firstReceivedAt: m.firstReceivedAt ?? m.sentAt,
              },
            ]
          : []),
      ]),
    );
    this.#deadLetters.push(...deadLetters);
  }
}
