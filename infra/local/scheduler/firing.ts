// Firing against the local cloud's virtual clock (see docs/design.md#the-local-clock).
//
// A one-time schedule fires once when the clock reaches it. A recurring one fires at most once per
// jump of the clock, at its latest occurrence up to the new now, then waits for its next
// occurrence. Everything due fires in time order (ties by name), one putEvents at a time, with the
// clock raised to each occurrence before it fires (to the end of its window, for a FLEXIBLE time
// window), so handlers see the time they were scheduled for; what is due at one instant is put together, and its work waited for together, before the next.

import { randomUUID } from 'node:crypto';
import { schedulerContext } from '#shared/events/scheduled.ts';
import { ruleTargetRetry } from '../../function-settings.ts';
import type { VirtualClock } from '../clock.ts';
import { takeOutExpired } from '../dead-letters.ts';
import { JsonLines } from '../jsonl.ts';
import { type LiveSchedule, ScheduleStore, type StoredSchedule } from './store.ts';
import type { Json } from './validation.ts';

export interface ScheduledTarget {
  /** From the target's event bus ARN. */
  busName: string;
  source: string;
  detailType: string;
  /**
   * Target.Input, the event's detail JSON, with Scheduler's context attributes filled in for the
   * firing (its execution id, the occurrence it fires for).
   */
  detail: string;
}

/**
 * Fills in EventBridge Scheduler's context attributes, as Scheduler does for a target's input: the
 * scheduled time is the occurrence's, not the time it is put (a firing the timer or a restart
 * catches up late still says which day it is for; docs/design.md#schedules).
 */
function withSchedulerContext(detail: string, scheduledFor: number): string {
  return detail
    .replaceAll(schedulerContext.executionId, randomUUID())
    .replaceAll(schedulerContext.scheduledTime, `${new Date(scheduledFor).toISOString().slice(0, 19)}Z`);
}

/** A schedule's next occurrence, as the local console lists them. */
export interface Pending {
  name: string;
  groupName: string;
  /** ISO 8601 UTC. */
  next: string;
  /** The schedule's time zone (its expression's). */
  timeZone: string;
  detailType: string;
  recurring: boolean;
}

export interface Fired {
  name: string;
  groupName: string;
  /** The occurrence that fired, ISO 8601 UTC. */
  scheduledFor: string;
  detailType: string;
  /** Set when putEvents failed every attempt; the occurrence still counts as fired. */
  error?: string;
  /** With `error`: the attempts made, the first and the target's RetryPolicy's retries. */
  attempts?: number;
}

/**
 * What a schedule could not put on the bus after its retries, as its DeadLetterConfig queue holds
 * it (docs/design.md#schedules); without a DeadLetterConfig it is dropped, as on AWS.
 */
export interface ScheduleDeadLetter {
  deadLetterArn: string;
  name: string;
  groupName: string;
  scheduledFor: string;
  /**
   * When it was sent to the dead-letter queue (ISO 8601), from which the queue's retention counts; a
   * letter kept before December 2026 has none, and counts from its scheduledFor.
   */
  at?: string;
  attempts: number;
  error: string;
  target: ScheduledTarget;
}

/**
 * How long a firing waits for the work its event started (real time): as long as a clock jump waits
 * for running invocations (docs/design.md#the-local-clock), so only work that keeps failing and
 * retrying past that lets the clock move on without it.
 */
export const settleWithinMs = 60_000;

// A guard against a handler that keeps creating schedules already due while they fire.
const MAX_FIRINGS_PER_PASS = 10_000;

export function scheduleFiring(options: {
  store: ScheduleStore;
  clock: VirtualClock;
  /**
   * Puts the target's event on the bus: Scheduler's own call, resolving once the bus took it. `firing`
   * names the schedule for a firing (not for a redrive, which is the operator's).
   */
  putEvents: (target: ScheduledTarget, firing?: { schedule: string }) => Promise<void>;
  /**
   * Resolves once the work an event put on the bus started has run, so the next occurrence does not
   * overtake it (handlers see the time they were scheduled for); waited for at most `settleWithinMs`.
   */
  settle?: () => Promise<void>;
  /**
   * On a jump of the clock, resolves once the work that came due by the time an occurrence is
   * reached has run (a queue message back from its visibility timeout, a retry): on AWS that time
   * passed before the occurrence fired, so a sweep must not overtake it (see docs/design.md#the-local-clock).
   * Waited for at most `settleWithinMs`.
   */
  catchUp?: () => Promise<void>;
  /**
   * The longest a firing waits for `settle` or `catchUp` (real time; default `settleWithinMs`). On AWS
   * Scheduler waits for nothing but its PutEvents, so a target that keeps failing (a queue rule's
   * retries go on for hours) must not hold the clock: past this the firing is done and the clock
   * moves on while that work goes on.
   */
  settleWithinMs?: number;
  /**
   * JSON lines in the data folder keeping the dead letters across restarts, as the bus keeps its own
   * (docs/design.md#failures-and-retries); none: in memory only.
   */
  deadLettersFile?: string;
}) {
  const { store, clock, putEvents } = options;
  const nowMs = () => clock.now().getTime();
  const waitMs = options.settleWithinMs ?? settleWithinMs;
  /** `work`, waited for at most `waitMs`: what still runs after that goes on without the firing. */
  const bounded = (work: (() => Promise<void>) | undefined, what: string) =>
    work &&
    (async () => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), waitMs);
      });
      const outcome = await Promise.race([work(), late]).finally(() => clearTimeout(timer));
      if (outcome === 'late')
        console.warn(`Local scheduler: ${what} still runs after ${waitMs} ms; the clock moves on without it`);
    });
  const settle = bounded(options.settle, "the work of a firing's event");
  const catchUp = bounded(options.catchUp, 'the work due before an occurrence');
  // The local cloud's schedules' dead-letter queue (GET /_local/dlq). A one-time schedule deletes
  // itself after firing, so its dead letter is all that is left of the moment: it is written (and
  // synced) before the firing counts as done, and read back when the local cloud starts again.
  const file = options.deadLettersFile
    ? new JsonLines<ScheduleDeadLetter>(options.deadLettersFile)
    : undefined;
  const deadLetters: ScheduleDeadLetter[] = file?.read() ?? [];
  // A kept letter's occurrence counts as fired: a kill between its letter and the journaling of its firing
  // (below) left the schedule unmarked, and firing it again would deliver it twice with the letter's
  // redrive. Marked and journaled as that firing would have (a one-time schedule moved since fires at its
  // new instant), and deleted as its completion would have (ActionAfterCompletion DELETE, its last occurrence).
  for (const letter of deadLetters) {
    const live = store.get(letter.groupName, letter.name);
    const at = Date.parse(letter.scheduledFor);
    if (!live || (live.stored.lastFiredFor ?? -1) >= at) continue;
    const { expression } = live;
    if (expression.kind === 'at' && expression.at !== at) continue;
    live.stored.lastFiredFor = at;
    store.saved(live);
    if (live.stored.actionAfterCompletion === 'DELETE' && isLastOccurrence(live, at))
      store.deleteSchedule(ScheduleStore.key(letter.groupName, letter.name));
  }

  /**
   * Drops the dead letters older than the dead-letter queue's retention, as SQS deletes them, and out
   * of their file too. Only after the letters were read back at start: a kept letter's occurrence counts
   * as fired, whatever its age (above).
   */
  const expired: ScheduleDeadLetter[] = [];
  function dropExpired(): ScheduleDeadLetter[] {
    if (takeOutExpired(deadLetters, (letter) => letter.at ?? letter.scheduledFor, expired))
      file?.rewrite(deadLetters);
    return deadLetters;
  }

  /** Puts each dead letter's event on the bus again; those it put leave the queue. */
  async function redrive(): Promise<{ redriven: number; failed: number }> {
    const letters = dropExpired().splice(0);
    let redriven = 0;
    for (const [i, letter] of letters.entries()) {
      try {
        // A letter kept before its firing filled in the context attributes gets them now, for its occurrence.
        await putEvents({
          ...letter.target,
          detail: withSchedulerContext(letter.target.detail, Date.parse(letter.scheduledFor)),
        });
        redriven++;
        // Out of the file once the bus has it, as each SQS message is deleted once put: a kill later in
        // the redrive leaves only the letters not yet put for the next one.
        file?.rewrite([...letters.slice(i + 1), ...deadLetters]);
      } catch (error) {
        deadLetters.push({ ...letter, error: error instanceof Error ? error.message : String(error) });
      }
    }
    file?.rewrite(deadLetters);
    if (redriven > 0) await settle?.();
    return { redriven, failed: letters.length - redriven };
  }

  /**
   * The occurrence a schedule owes at `limit`, if any, and when it fires: at the occurrence, or at the
   * end of a FLEXIBLE time window after it (flexibleWindowMs).
   */
  function dueAt(live: LiveSchedule, limit: number): { occurrence: number; due: number } | undefined {
    const s = live.stored;
    if (s.state !== 'ENABLED') return undefined;
    const window = flexibleWindowMs(s);
    let occurrence: number | undefined;
    if (live.expression.kind === 'at') {
      // StartDate and EndDate do not apply to one-time schedules. `at` is undefined when the wall time
      // fell in a DST gap (expressions.ts): it never fires. One whose time had passed when it was created
      // or updated fires at once: AWS does not document that case, and the local clock can jump between a
      // function reading the time and its CreateSchedule landing, so a schedule written for the next whole
      // minute may arrive after it; kept unfired, that step would be lost where on AWS it fires
      // (docs/design.md#schedules).
      const at = live.expression.at;
      occurrence = at !== undefined && at + window <= limit && s.lastFiredFor === undefined ? at : undefined;
    } else {
      let notBefore = Math.max(s.windowStart, s.startDate ?? s.windowStart);
      if (s.lastFiredFor !== undefined) notBefore = Math.max(notBefore, s.lastFiredFor + 1);
      const until = Math.min(limit - window, s.endDate ?? limit);
      occurrence = live.recurrence!.latestBetween(notBefore, until);
    }
    return occurrence === undefined ? undefined : { occurrence, due: occurrence + window };
  }

  function nextDue(limit: number): { live: LiveSchedule; occurrence: number; due: number } | undefined {
    let best: { live: LiveSchedule; occurrence: number; due: number } | undefined;
    for (const live of store.schedules.values()) {
      const owed = dueAt(live, limit);
      if (owed === undefined) continue;
      const { due } = owed;
      if (!best || due < best.due || (due === best.due && compareNames(live.stored, best.live.stored) < 0)) {
        best = { live, ...owed };
      }
    }
    return best;
  }

  async function fireDue(limit: number, catchingUp?: () => Promise<void>): Promise<Fired[]> {
    const fired: Fired[] = [];
    // The instant whose firings' work is not waited for yet: the schedules due at one instant are all put
    // on the bus first and then waited for together, as Scheduler invokes one minute's schedules at once
    // and their handlers race on AWS (docs/design.md#the-local-clock).
    let unsettled: number | undefined;
    for (let count = 0; count < MAX_FIRINGS_PER_PASS; count++) {
      let next = nextDue(limit);
      if (unsettled !== undefined && next?.due !== unsettled) {
        await settle?.();
        unsettled = undefined;
        // What ran may have changed the schedules: look again at what is due.
        next = nextDue(limit);
      }
      if (!next) return fired;
      const { live, occurrence, due } = next;
      const s = live.stored;
      if (catchingUp && nowMs() < due) {
        clock.raiseTo(new Date(due));
        await catchingUp();
        // What ran may have changed the schedules: look again at what is due.
        continue;
      }
      clock.raiseTo(new Date(due));
      // Marked before putEvents, so the occurrence cannot fire twice even if a handler it runs
      // changes schedules meanwhile; journaled only once the bus has its event (below).
      s.lastFiredFor = occurrence;
      const parameters = s.target.EventBridgeParameters as Json;
      const entry: Fired = {
        name: s.name,
        groupName: s.groupName,
        scheduledFor: new Date(occurrence).toISOString(),
        detailType: String(parameters.DetailType),
      };
      const target: ScheduledTarget = {
        busName: live.bus,
        source: String(parameters.Source),
        detailType: entry.detailType,
        // Filled in once per firing: its retries are the same execution, for the same occurrence.
        detail: withSchedulerContext(typeof s.target.Input === 'string' ? s.target.Input : '{}', occurrence),
      };
      // Scheduler retries a target that fails (RetryPolicy; locally at once, the event's age never
      // runs out), then hands the event to the schedule's dead-letter queue, if it has one.
      const retryPolicy = s.target.RetryPolicy as Json | undefined;
      const retries =
        typeof retryPolicy?.MaximumRetryAttempts === 'number'
          ? retryPolicy.MaximumRetryAttempts
          : // Scheduler's default when the schedule's RetryPolicy names none.
            ruleTargetRetry.retryAttempts;
      for (let attempt = 1; attempt <= retries + 1; attempt++) {
        try {
          await putEvents(target, { schedule: s.name });
          delete entry.error;
          delete entry.attempts;
          break;
        } catch (error) {
          entry.error = error instanceof Error ? error.message : String(error);
          entry.attempts = attempt;
        }
      }
      const deadLetterArn = (s.target.DeadLetterConfig as Json | undefined)?.Arn;
      if (entry.error && typeof deadLetterArn === 'string') {
        const letter: ScheduleDeadLetter = {
          deadLetterArn,
          name: s.name,
          groupName: s.groupName,
          scheduledFor: entry.scheduledFor,
          at: new Date(nowMs()).toISOString(),
          attempts: entry.attempts!,
          error: entry.error,
          target,
        };
        deadLetters.push(letter);
        file?.append([letter], { sync: true });
      }
      // The firing is journaled once the bus has its event (or the dead letter is kept): the local cloud
      // killed while it was under way fires it again at the next start, as Scheduler delivers at least
      // once; never a kill between the mark and the put losing a one-time schedule's only occurrence.
      // Not a schedule a handler replaced meanwhile (its own put journaled it).
      const key = ScheduleStore.key(s.groupName, s.name);
      if (store.schedules.get(key) === live) store.saved(live);
      if (!entry.error) unsettled = due;
      fired.push(entry);
      // Only this very schedule: a handler may have replaced it while its event ran.
      if (
        s.actionAfterCompletion === 'DELETE' &&
        isLastOccurrence(live, occurrence) &&
        store.schedules.get(key) === live
      ) {
        store.deleteSchedule(key);
      }
    }
    throw new Error(
      `Local scheduler: more than ${MAX_FIRINGS_PER_PASS} firings in one pass; a schedule loop?`,
    );
  }

  // advanceTo and the timer take turns, so no occurrence is looked at by both at once.
  let turn: Promise<unknown> = Promise.resolve();
  function exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = turn.then(task);
    turn = run.catch(() => undefined);
    return run;
  }

  /** Raises the clock to t, fires every due occurrence in time order, awaiting each putEvents. */
  function advanceTo(t: Date): Promise<Fired[]> {
    return exclusive(async () => {
      const limit = Math.max(t.getTime(), nowMs());
      const fired = await fireDue(limit, catchUp);
      clock.raiseTo(t);
      return fired;
    });
  }

  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
  /** Fires what falls due as the clock runs on its own, checking every second. */
  function start(): void {
    if (timer) return;
    timer = setInterval(() => {
      if (ticking) return;
      ticking = true;
      exclusive(() => fireDue(nowMs()))
        .catch((error: unknown) => console.error('Local scheduler:', error))
        .finally(() => {
          ticking = false;
        });
    }, 1000);
    timer.unref();
  }
  function stop(): void {
    if (timer) clearInterval(timer);
    timer = undefined;
    file?.close();
  }

  /** Every enabled schedule's next occurrence after now, soonest first. */
  function pending(): Pending[] {
    const now = nowMs();
    const list: Pending[] = [];
    for (const live of store.schedules.values()) {
      const s = live.stored;
      if (s.state !== 'ENABLED') continue;
      const next =
        live.expression.kind === 'at'
          ? s.lastFiredFor === undefined
            ? live.expression.at
            : undefined
          : live.recurrence?.nextAfter(Math.max(now, s.lastFiredFor ?? now));
      if (next === undefined || (s.endDate !== undefined && next > s.endDate)) continue;
      list.push({
        name: s.name,
        groupName: s.groupName,
        next: new Date(next + flexibleWindowMs(s)).toISOString(),
        timeZone: s.timeZone ?? 'UTC',
        detailType: String((s.target.EventBridgeParameters as Json | undefined)?.DetailType ?? ''),
        recurring: live.expression.kind !== 'at',
      });
    }
    return list.sort((a, b) => a.next.localeCompare(b.next) || a.name.localeCompare(b.name));
  }

  return {
    advanceTo,
    start,
    stop,
    pending,
    deadLetters: () => [...dropExpired()],
    /** The dead letters that outlived their retention in this run. */
    expiredDeadLetters: () => {
      dropExpired();
      return [...expired];
    },
    redrive,
  };
}

const MINUTE_MS = 60_000;

/**
 * How long after an occurrence the local scheduler fires it: a FLEXIBLE time window's whole length,
 * else nothing. Scheduler "invokes the target within the time window you set", for example "within 15
 * minutes after the scheduled time" (Scheduler User Guide, Configuring flexible time windows), at a
 * moment it does not name: the local scheduler takes the latest, so nothing comes to rely on a flexible
 * schedule firing on time; the firing still names the occurrence as its scheduled time
 * (docs/design.md#schedules).
 */
function flexibleWindowMs(schedule: StoredSchedule): number {
  const { Mode, MaximumWindowInMinutes } = schedule.flexibleTimeWindow;
  return Mode === 'FLEXIBLE' && typeof MaximumWindowInMinutes === 'number'
    ? MaximumWindowInMinutes * MINUTE_MS
    : 0;
}

/**
 * Whether `at` is the schedule's last occurrence, after which ActionAfterCompletion DELETE deletes it: a
 * one-time schedule's only one, a recurring schedule's last at or before its EndDate. A recurring schedule
 * without an EndDate is never deleted, as Scheduler deletes none (docs/design.md#schedules).
 */
function isLastOccurrence(live: LiveSchedule, at: number): boolean {
  if (live.expression.kind === 'at') return true;
  const { endDate } = live.stored;
  if (endDate === undefined) return false;
  const next = live.recurrence?.nextAfter(at);
  return next === undefined || next > endDate;
}

function compareNames(a: StoredSchedule, b: StoredSchedule): number {
  const byName = a.name.localeCompare(b.name, 'en');
  return byName !== 0 ? byName : a.groupName.localeCompare(b.groupName, 'en');
}
