// Persistence of the local scheduler: groups and schedules in memory and, with a data folder, the
// whole state in one JSON file, written to a temporary file and renamed over the old one, so a
// crash leaves either the old or the new file, never half of one.

import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
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

interface StateFile {
  version: 1;
  groups: StoredGroup[];
  schedules: StoredSchedule[];
}

export class ScheduleStore {
  readonly groups = new Map<string, StoredGroup>();
  readonly schedules = new Map<string, LiveSchedule>();
  readonly #file: string | undefined;

  /** Loads `file` if it exists; the default group always exists. */
  constructor(file: string | undefined, now: number) {
    this.#file = file;
    this.#load();
    if (!this.groups.has(DEFAULT_GROUP)) {
      this.groups.set(DEFAULT_GROUP, {
        name: DEFAULT_GROUP,
        creationDate: now,
        lastModificationDate: now,
        tags: {},
      });
    }
  }

  static key(groupName: string, name: string): string {
    return `${groupName}/${name}`;
  }

  get(groupName: string, name: string): LiveSchedule | undefined {
    return this.schedules.get(ScheduleStore.key(groupName, name));
  }

  /** Stores (or replaces) a schedule and persists. */
  put(stored: StoredSchedule): void {
    this.schedules.set(ScheduleStore.key(stored.groupName, stored.name), compile(stored));
    this.persist();
  }

  persist(): void {
    const file = this.#file;
    if (!file) return;
    const state: StateFile = {
      version: 1,
      groups: [...this.groups.values()],
      schedules: [...this.schedules.values()].map((live) => live.stored),
    };
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(temporary, file);
  }

  #load(): void {
    const file = this.#file;
    if (!file || !existsSync(file)) return;
    let state: StateFile;
    try {
      state = JSON.parse(readFileSync(file, 'utf8')) as StateFile;
    } catch (error) {
      throw new Error(`Local scheduler: cannot read ${file}: ${(error as Error).message}`);
    }
    for (const group of state.groups ?? []) this.groups.set(group.name, group);
    for (const stored of state.schedules ?? []) {
      this.schedules.set(ScheduleStore.key(stored.groupName, stored.name), compile(stored));
    }
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
