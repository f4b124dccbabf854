import { join } from 'node:path';
import type { FunctionName, FunctionSpec } from '../../topology.ts';
import type { Faults } from '../faults.ts';
import { LocalQueue, type QueueDeadLetter, type SqsRecord } from './queue.ts';

export type { QueueDeadLetter, SqsRecord } from './queue.ts';

export interface LocalQueues {
  /** Puts a message in the named queue (what a bus rule with a queue target does); throws when it is refused. */
  send(queue: string, body: string): string;
  /** Resolves once no queue has a visible message or a running batch. */
  whenIdle(): Promise<void>;
  deadLetters(): QueueDeadLetter[];
  /** The dead letters that outlived their queue's retention in this run. */
  expiredDeadLetters(): QueueDeadLetter[];
  /** Moves each queue's dead letters back to it (SQS dead-letter queue redrive); answers how many. */
  redrive(): number;
  depths(): Record<string, ReturnType<LocalQueue['depth']>>;
  /** Starts reading the queues (once the functions can run): what the last run left is delivered again. */
  start(): void;
  stop(): void;
}

/** The topology's queue triggers as local queues with their event source mappings (see docs/design.md#queues). */
export function localQueues(options: {
  functions: [FunctionName, FunctionSpec][];
  invoke: (name: FunctionName, event: { Records: SqsRecord[] }) => Promise<unknown>;
  faults: Faults;
  account: string;
  region: string;
  dataDir?: string;
}): LocalQueues {
  const queues = new Map<string, LocalQueue>();
  for (const [functionName, spec] of options.functions) {
    for (const trigger of spec.on) {
      if (trigger.kind !== 'queue') continue;
      if (queues.has(trigger.queue)) throw new Error(`topology: queue ${trigger.queue} is declared twice`);
      queues.set(
        trigger.queue,
        new LocalQueue({
          functionName,
          trigger,
          invoke: options.invoke,
          faults: options.faults,
          account: options.account,
          region: options.region,
          files: options.dataDir
            ? {
                journal: join(options.dataDir, 'queues', `${trigger.queue}.jsonl`),
                deadLetters: join(options.dataDir, 'queues', `${trigger.queue}-dead-letters.jsonl`),
              }
            : undefined,
        }),
      );
    }
  }
  const queueNamed = (name: string) => {
    const queue = queues.get(name);
    if (!queue) throw new Error(`no queue ${name} in the topology`);
    return queue;
  };
  return {
    send: (name, body) => queueNamed(name).send(body),
    whenIdle: async () => {
      await Promise.all([...queues.values()].map((queue) => queue.whenIdle()));
    },
    deadLetters: () => [...queues.values()].flatMap((queue) => queue.deadLetters()),
    expiredDeadLetters: () => [...queues.values()].flatMap((queue) => queue.expiredDeadLetters()),
    redrive: () => [...queues.values()].reduce((moved, queue) => moved + queue.redrive(), 0),
    depths: () => Object.fromEntries([...queues].map(([name, queue]) => [name, queue.depth()])),
    start: () => {
      for (const queue of queues.values()) queue.start();
    },
    stop: () => {
      for (const queue of queues.values()) queue.stop();
    },
  };
}
