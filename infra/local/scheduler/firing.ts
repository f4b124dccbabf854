// Firing against the local cloud's virtual clock (see docs/design.md#the-local-clock).
//
// A one-time schedule fires once when the clock reaches it. A recurring one fires at most once per
// jump of the clock, at its latest occurrence up to the new now, then waits for its next
// occurrence. Everything due fires in time order (ties by name), one putEvents at a time, with the
// clock raised to each occurrence before it fires, so handlers see the time they were scheduled for.

import type { VirtualClock } from '../clock.ts';
import { JsonLines } from '../jsonl.ts';
import { type LiveSchedule, ScheduleStore, type StoredSchedule } from './store.ts';
import type { Json } from './validation.ts';

export interface ScheduledTarget {
  /** From the target's event bus ARN. */
  busName: string;
  source: string;
  detailType: string;
  /** Target.Input, the event's detail JSON. */
  detail: string;
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
  attempts: number;
  error: string;
  target: ScheduledTarget;
}

/** Scheduler's default retries of a target when the schedule's RetryPolicy names none. */
const DEFAULT_RETRY_ATTEMPTS = 185;

// A guard against a handler that keeps creating schedules already due while they fire.
const MAX_FIRINGS_PER_PASS = 10_000;

export function scheduleFiring(options: {
  store: ScheduleStore;
  clock: VirtualClock;
  /** Resolves once the events' invocations have finished. */
  putEvents: (target: ScheduledTarget) => Promise<void>;
  /**
   * On a jump of the clock, resolves once the work that came due by the time an occurrence is
   * reached has run (a queue message back from its visibility timeout, a retry): on AWS that time
   * passed before the occurrence fired, so a sweep must not overtake it (see docs/design.md#the-local-clock).
   */
  catchUp?: () => Promise<void>;
  /**
   * JSON lines in the data folder keeping the dead letters across restarts, as the bus keeps its own
   * (docs/design.md#failures-and-retries); none: in memory only.
   */
  deadLettersFile?: string;
}) {
  const { store, clock, putEvents, catchUp } = options;
  const nowMs = () => clock.now().getTime();
  // The local cloud's schedules' dead-letter queue (GET /_local/dlq). A one-time schedule deletes
  // itself after firing, so its dead letter is all that is left of the moment: it is written (and
  // synced) before the firing counts as done, and read back when the local cloud starts again.
  const file = options.deadLettersFile
    ? new JsonLines<ScheduleDeadLetter>(options.deadLettersFile)
    : undefined;
  const deadLetters: ScheduleDeadLetter[] = file?.read() ?? [];

  /** Puts each dead letter's event on the bus again; those it put leave the queue. */
  async function redrive(): Promise<{ redriven: number; failed: number }> {
    const letters = deadLetters.splice(0);
    let redriven = 0;
    for (const letter of letters) {
      try {
        await putEvents(letter.target);
        redriven++;
      } catch (error) {
        deadLetters.push({ ...letter, error: error instanceof Error ? error.message : String(error) });
      }
    }
    file?.rewrite(deadLetters);
    return { redriven, failed: letters.length - redriven };
  }

  /** The occurrence a schedule owes at `limit`, if any. */
  function dueAt(live: LiveSchedule, limit: number): number | undefined {
    const s = live.stored;
    if (s.state !== 'ENABLED') return undefined;
    if (live.expression.kind === 'at') {
      // StartDate and EndDate do not apply to one-time schedules.
      const at = live.expression.at;
      return at <= limit && s.lastFiredFor === undefined ? at : undefined;
    }
    let notBefore = Math.max(s.windowStart, s.startDate ?? s.windowStart);
    if (s.lastFiredFor !== undefined) notBefore = Math.max(notBefore, s.lastFiredFor + 1);
    const until = Math.min(limit, s.endDate ?? limit);
    return live.recurrence!.latestBetween(notBefore, until);
  }

  function nextDue(limit: number): { live: LiveSchedule; due: number } | undefined {
    let best: { live: LiveSchedule; due: number } | undefined;
    for (const live of store.schedules.values()) {
      const due = dueAt(live, limit);
      if (due === undefined) continue;
      if (!best || due < best.due || (due === best.due && compareNames(live.stored, best.live.stored) < 0)) {
        best = { live, due };
      }
    }
    return best;
  }

  async function fireDue(limit: number, catchingUp?: () => Promise<void>): Promise<Fired[]> {
    const fired: Fired[] = [];
    for (let count = 0; count < MAX_FIRINGS_PER_PASS; count++) {
      const next = nextDue(limit);
      if (!next) return fired;
      const { live, due } = next;
      const s = live.stored;
      if (catchingUp && nowMs() < due) {
        clock.raiseTo(new Date(due));
        await catchingUp();
        // What ran may have changed the schedules: look again at what is due.
        continue;
      }
      clock.raiseTo(new Date(due));
      // Recorded before putEvents, so the occurrence cannot fire twice even if a handler it runs
      // changes schedules meanwhile.
      s.lastFiredFor = due;
      store.saved(live);
      const parameters = s.target.EventBridgeParameters as Json;
      const entry: Fired = {
        name: s.name,
        groupName: s.groupName,
        scheduledFor: new Date(due).toISOString(),
        detailType: String(parameters.DetailType),
      };
      const target: ScheduledTarget = {
        busName: live.bus,
        source: String(parameters.Source),
        detailType: entry.detailType,
        detail: typeof s.target.Input === 'string' ? s.target.Input : '{}',
      };
      // Scheduler retries a target that fails (RetryPolicy; locally at once, the event's age never
      // runs out), then hands the event to the schedule's dead-letter queue, if it has one.
      const retryPolicy = s.target.RetryPolicy as Json | undefined;
      const retries =
        typeof retryPolicy?.MaximumRetryAttempts === 'number'
          ? retryPolicy.MaximumRetryAttempts
          : DEFAULT_RETRY_ATTEMPTS;
      for (let attempt = 1; attempt <= retries + 1; attempt++) {
        try {
          await putEvents(target);
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
          attempts: entry.attempts!,
          error: entry.error,
          target,
        };
        deadLetters.push(letter);
        file?.append([letter], { sync: true });
      }
      fired.push(entry);
      const key = ScheduleStore.key(s.groupName, s.name);
      // Only this very schedule: a handler may have replaced it while its event ran.
      if (
        live.expression.kind === 'at' &&
        s.actionAfterCompletion === 'DELETE' &&
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
        next: new Date(next).toISOString(),
        timeZone: s.timeZone ?? 'UTC',
        detailType: String((s.target.EventBridgeParameters as Json | undefined)?.DetailType ?? ''),
        recurring: live.expression.kind !== 'at',
      });
    }
    return list.sort((a, b) => a.next.localeCompare(b.next) || a.name.localeCompare(b.name));
  }

  return { advanceTo, start, stop, pending, deadLetters: () => [...deadLetters], redrive };
}

function compareNames(a: StoredSchedule, b: StoredSchedule): number {
  const byName = a.name.localeCompare(b.name, 'en');
  return byName !== 0 ? byName : a.groupName.localeCompare(b.groupName, 'en');
}
