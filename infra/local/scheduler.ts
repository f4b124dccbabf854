// The local EventBridge Scheduler: the Scheduler REST API (restJson1, as @aws-sdk/client-scheduler
// serialises it) over schedules kept in memory and in a JSON file, fired against the local cloud's
// virtual clock (see docs/design.md#the-local-clock). Only EventBridge PutEvents targets exist
// locally (see docs/design.md#schedules). Its parts live in scheduler/: store (persistence),
// validation, operations, http and firing; expressions evaluates at(), rate() and cron().

import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import type { CreateScheduleInput } from '@aws-sdk/client-scheduler';
import type { VirtualClock } from './clock.ts';
import {
  type Fired,
  type Pending,
  type ScheduleDeadLetter,
  type ScheduledTarget,
  scheduleFiring,
} from './scheduler/firing.ts';
import { schedulerHttp } from './scheduler/http.ts';
import { scheduleOperations } from './scheduler/operations.ts';
import { ScheduleStore } from './scheduler/store.ts';

export type { Fired, Pending, ScheduleDeadLetter, ScheduledTarget } from './scheduler/firing.ts';

export interface LocalSchedulerOptions {
  clock: VirtualClock;
  /**
   * JSON file where schedules persist across restarts; the schedules' dead letters persist beside it
   * (schedule-dead-letters.jsonl).
   */
  file?: string;
  account?: string;
  region?: string;
  /** Puts the target's event on the bus (Scheduler's own call); `firing` names the schedule firing. */
  putEvents: (target: ScheduledTarget, firing?: { schedule: string }) => Promise<void>;
  /** Resolves once the work the event started has run; a firing waits for it, within `settleWithinMs`. */
  settle?: () => Promise<void>;
  /** On a jump of the clock, lets work that came due run before each occurrence fires. */
  catchUp?: () => Promise<void>;
  /** The longest a firing waits for `settle` or `catchUp` (default 60 s). */
  settleWithinMs?: number;
}

export interface LocalScheduler {
  /** Serves the Scheduler REST API: the operation it took (`CreateSchedule`); false when the path is not the Scheduler's. */
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<string | false>;
  /** Raises the clock to t, fires every due occurrence in time order, awaiting each putEvents. */
  advanceTo(t: Date): Promise<Fired[]>;
  /** Fires what falls due as the clock runs on its own, checking every second. */
  start(): void;
  stop(): void;
  /** Every enabled schedule's next occurrence after now, soonest first. */
  pending(): Pending[];
  /** Creates the schedule, or updates it when one of that name exists (no-op when unchanged). */
  ensureSchedule(input: CreateScheduleInput): { ScheduleArn: string };
  /** What schedules with a DeadLetterConfig could not put on the bus after their retries. */
  deadLetters(): ScheduleDeadLetter[];
  /** The dead letters that outlived their queue's retention in this run. */
  expiredDeadLetters(): ScheduleDeadLetter[];
  /** Puts those events on the bus again; the ones put leave the dead letters. */
  redrive(): Promise<{ redriven: number; failed: number }>;
}

export function createLocalScheduler(options: LocalSchedulerOptions): LocalScheduler {
  const { clock, putEvents, catchUp } = options;
  const nowMs = () => clock.now().getTime();
  const store = new ScheduleStore(options.file, nowMs());
  const operations = scheduleOperations({
    store,
    nowMs,
    account: options.account ?? '000000000000',
    region: options.region ?? 'us-east-1',
  });
  const firing = scheduleFiring({
    store,
    clock,
    putEvents,
    ...(catchUp ? { catchUp } : {}),
    ...(options.settle ? { settle: options.settle } : {}),
    ...(options.settleWithinMs !== undefined ? { settleWithinMs: options.settleWithinMs } : {}),
    ...(options.file ? { deadLettersFile: join(dirname(options.file), 'schedule-dead-letters.jsonl') } : {}),
  });
  return {
    handle: schedulerHttp(operations),
    advanceTo: firing.advanceTo,
    start: firing.start,
    stop: firing.stop,
    pending: firing.pending,
    ensureSchedule: operations.ensureSchedule,
    deadLetters: firing.deadLetters,
    expiredDeadLetters: firing.expiredDeadLetters,
    redrive: firing.redrive,
  };
}
