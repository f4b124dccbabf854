// Persistence of the local scheduler: groups and schedules in memory and, with a data folder, a
// journal of changes (JSON lines, one append per change, so a change costs the size of one schedule
// however many there are), compacted into a snapshot of the live state when the cloud starts and when
// the journal has grown to several times that state.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { JsonLines } from '../jsonl.ts';
import { type ParsedScheduleExpression, parseScheduleExpression, type Recurrence } from './expressions.ts';
import { DEFAULT_GROUP, EVENT_BUS_ARN, type ScheduleDefinition } from './validation.ts';

export interface StoredGroup {
  name: string;
  creationDate: number;
  lastModificationDate: number;
  tags: Record<string, string>;
}

export interface StoredSchedule extends ScheduleDefinition {
  creationDate: number;
  lastModificationDate: number;
  /** Occurrences before this (the last create or update) never fire: no backfill. */
  windowStart: number;
  /** The last occurrence fired; none fires again at or before it. */
  lastFiredFor?: number;
  clientToken?: string;
}

/** A stored schedule with its expression evaluated once. */
export interface LiveSchedule {
  stored: StoredSchedule;
  expression: ParsedScheduleExpression;
  recurrence?: Recurrence;
  bus: string;
}

/** One line of the journal: a schedule or group as it now is, or its deletion. */
type Change =
  | { schedule: StoredSchedule }
  | { deleteSchedule: string }
  | { group: StoredGroup }
  | { deleteGroup: string };

/** The journal is compacted once it holds this many times more lines than the live state (and at least 1,000). */
const compactionFactor = 4;

export class ScheduleStore {
  readonly groups = new Map<string, StoredGroup>();
  readonly schedules = new Map<string, LiveSchedule>();
  readonly #journal: JsonLines<Change> | undefined;
  #lines = 0;

  /** Loads `file` (a journal of JSON lines) if it exists; the default group always exists. */
  constructor(file: string | undefined, now: number) {
    this.#journal = file ? new JsonLines<Change>(file) : undefined;
    const carried = file ? this.#load(file) : undefined;
    if (!this.groups.has(DEFAULT_GROUP)) {
      this.groups.set(DEFAULT_GROUP, {
        name: DEFAULT_GROUP,
        creationDate: now,
        lastModificationDate: now,
        tags: {},
      });
    }
    this.#compact();
    // Only once the journal holds what it carried over: a kill before leaves it to carry over again.
    if (carried) rmSync(carried);
  }

  static key(groupName: string, name: string): string {
    return `${groupName}/${name}`;
  }

  get(groupName: string, name: string): LiveSchedule | undefined {
    return this.schedules.get(ScheduleStore.key(groupName, name));
  }

  /** Stores (or replaces) a schedule and journals it. */
  put(stored: StoredSchedule): void {
    this.schedules.set(ScheduleStore.key(stored.groupName, stored.name), compile(stored));
    this.#record({ schedule: stored });
  }

  /** Journals a change made to a stored schedule in place (its firing state). */
  saved(live: LiveSchedule): void {
    this.#record({ schedule: live.stored });
  }

  deleteSchedule(key: string): void {
    this.schedules.delete(key);
    this.#record({ deleteSchedule: key });
  }

  /** Stores (or replaces) a group, or journals a change made to it in place (its tags). */
  putGroup(group: StoredGroup): void {
    this.groups.set(group.name, group);
    this.#record({ group });
  }

  /** Deletes a group and every schedule in it. */
  deleteGroup(name: string): void {
    this.groups.delete(name);
    for (const [key, live] of this.schedules) if (live.stored.groupName === name) this.schedules.delete(key);
    this.#record({ deleteGroup: name });
  }

  #record(change: Change): void {
    if (!this.#journal) return;
    // One write(2) before the operation answers: a kill -9 after the answer cannot lose it.
    this.#journal.append([change]);
    if (++this.#lines > Math.max(1_000, compactionFactor * (this.groups.size + this.schedules.size))) {
      this.#compact();
    }
  }

  /** Replaces the journal with the live state, one line per group and schedule. */
  #compact(): void {
    if (!this.#journal) return;
    const snapshot: Change[] = [
      ...[...this.groups.values()].map((group) => ({ group })),
      ...[...this.schedules.values()].map((live) => ({ schedule: live.stored })),
    ];
    this.#journal.rewrite(snapshot);
    this.#lines = snapshot.length;
  }

  /** Answers the document of a data folder from before the journal, when it carried one over. */
  #load(file: string): string | undefined {
    // A data folder from before the journal kept the whole state in one JSON document beside it.
    const document = file.replace(/\.jsonl$/, '.json');
    const carried = document !== file && existsSync(document) ? document : undefined;
    if (carried) {
      const state = JSON.parse(readFileSync(document, 'utf8')) as {
        groups?: StoredGroup[];
        schedules?: StoredSchedule[];
      };
      for (const group of state.groups ?? []) this.groups.set(group.name, group);
      for (const stored of state.schedules ?? []) {
        this.schedules.set(ScheduleStore.key(stored.groupName, stored.name), compile(stored));
      }
    }
    for (const change of this.#journal!.read()) {
      if ('schedule' in change) {
        const { schedule } = change;
        this.schedules.set(ScheduleStore.key(schedule.groupName, schedule.name), compile(schedule));
      } else if ('deleteSchedule' in change) this.schedules.delete(change.deleteSchedule);
      else if ('group' in change) this.groups.set(change.group.name, change.group);
      else {
        this.groups.delete(change.deleteGroup);
        for (const [key, live] of this.schedules) {
          if (live.stored.groupName === change.deleteGroup) this.schedules.delete(key);
        }
      }
    }
    return carried;
  }
}

function compile(stored: StoredSchedule): LiveSchedule {
  const expression = parseScheduleExpression(stored.scheduleExpression, stored.timeZone ?? 'UTC');
  const recurrence =
    expression.kind === 'cron'
      ? expression.recurrence
      : expression.kind === 'rate'
        ? // No StartDate: a rate schedule "starts invoking the target immediately" (from its creation
          // or last update), on whole seconds.
          expression.recurrence(stored.startDate ?? Math.floor(stored.windowStart / 1000) * 1000)
        : undefined;
  const bus = EVENT_BUS_ARN.exec(String(stored.target.Arn))![1];
  return { stored, expression, recurrence, bus };
}
