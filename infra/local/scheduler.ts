// The local EventBridge Scheduler: the Scheduler REST API (restJson1, as @aws-sdk/client-scheduler
// serialises it) over schedules kept in memory and in a JSON file, fired against the local cloud's
// virtual clock (docs/design.md#the-local-clock). Only EventBridge PutEvents targets exist locally (docs/design.md#schedules).
//
// Firing: a one-time schedule fires once when the clock reaches it. A recurring one fires at most
// once per jump of the clock, at its latest occurrence up to the new now, then waits for its next
// occurrence. Everything due fires in time order (ties by name), one putEvents at a time, with the
// clock raised to each occurrence before it fires, so handlers see the time they were scheduled for.

import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { CreateScheduleInput } from '@aws-sdk/client-scheduler';
import type { VirtualClock } from './clock.ts';
import {
  type ParsedScheduleExpression,
  parseScheduleExpression,
  type Recurrence,
  ScheduleExpressionError,
} from './scheduler-expressions.ts';

export interface ScheduledTarget {
  /** From the target's event bus ARN. */
  busName: string;
  source: string;
  detailType: string;
  /** Target.Input, the event's detail JSON. */
  detail: string;
}

export interface LocalSchedulerOptions {
  clock: VirtualClock;
  /** JSON file where schedules persist across restarts. */
  file?: string;
  account?: string;
  region?: string;
  /** Resolves once the events' invocations have finished. */
  putEvents: (target: ScheduledTarget) => Promise<void>;
}

export interface Fired {
  name: string;
  groupName: string;
  /** The occurrence that fired, ISO 8601 UTC. */
  scheduledFor: string;
  detailType: string;
  /** Set when putEvents failed; the occurrence still counts as fired. */
  error?: string;
}

export interface LocalScheduler {
  /** Serves the Scheduler REST API; false when the path is not the Scheduler's. */
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<boolean>;
  /** Raises the clock to t, fires every due occurrence in time order, awaiting each putEvents. */
  advanceTo(t: Date): Promise<Fired[]>;
  /** Fires what falls due as the clock runs on its own, checking every second. */
  start(): void;
  stop(): void;
  /** Creates the schedule, or updates it when one of that name exists (no-op when unchanged). */
  ensureSchedule(input: CreateScheduleInput): { ScheduleArn: string };
}

type ErrorType = 'ConflictException' | 'ResourceNotFoundException' | 'ValidationException';

const STATUS: Record<ErrorType, number> = {
  ConflictException: 409,
  ResourceNotFoundException: 404,
  ValidationException: 400,
};

/** An expected failure, answered as the service does: status, x-amzn-errortype and {Message}. */
export class SchedulerError extends Error {
  readonly type: ErrorType;
  readonly status: number;
  constructor(type: ErrorType, message: string) {
    super(message);
    this.name = type;
    this.type = type;
    this.status = STATUS[type];
  }
}

const invalid = (message: string) => new SchedulerError('ValidationException', message);

type Json = Record<string, unknown>;

interface StoredGroup {
  name: string;
  creationDate: number;
  lastModificationDate: number;
  tags: Record<string, string>;
}

interface ScheduleDefinition {
  name: string;
  groupName: string;
  scheduleExpression: string;
  timeZone?: string;
  startDate?: number;
  endDate?: number;
  description?: string;
  state: 'ENABLED' | 'DISABLED';
  flexibleTimeWindow: Json;
  /** As sent, echoed by GetSchedule. */
  target: Json;
  actionAfterCompletion: 'NONE' | 'DELETE';
  kmsKeyArn?: string;
}

interface StoredSchedule extends ScheduleDefinition {
  creationDate: number;
  lastModificationDate: number;
  /** Occurrences before this (the last create or update) never fire: no backfill. */
  windowStart: number;
  /** The last occurrence fired; none fires again at or before it. */
  lastFiredFor?: number;
  clientToken?: string;
}

interface LiveSchedule {
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

const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
const EVENT_BUS_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/([A-Za-z0-9._\-/]+)$/;
const DEFAULT_GROUP = 'default';
const MAX_RESULTS = 100;
// A guard against a handler that keeps creating schedules already due while they fire.
const MAX_FIRINGS_PER_PASS = 10_000;

export function createLocalScheduler(options: LocalSchedulerOptions): LocalScheduler {
  const { clock, file, putEvents } = options;
  const account = options.account ?? '000000000000';
  const region = options.region ?? 'us-east-1';
  const groups = new Map<string, StoredGroup>();
  const schedules = new Map<string, LiveSchedule>();

  const scheduleKey = (groupName: string, name: string) => `${groupName}/${name}`;
  const groupArn = (name: string) => `arn:aws:scheduler:${region}:${account}:schedule-group/${name}`;
  const scheduleArn = (groupName: string, name: string) =>
    `arn:aws:scheduler:${region}:${account}:schedule/${groupName}/${name}`;
  const nowMs = () => clock.now().getTime();

  load();
  if (!groups.has(DEFAULT_GROUP)) {
    const created = nowMs();
    groups.set(DEFAULT_GROUP, {
      name: DEFAULT_GROUP,
      creationDate: created,
      lastModificationDate: created,
      tags: {},
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Persistence: the whole state, written to a temporary file and renamed over the old one, so a
  // crash leaves either the old or the new file, never half of one.

  function load(): void {
    if (!file || !existsSync(file)) return;
    let state: StateFile;
    try {
      state = JSON.parse(readFileSync(file, 'utf8')) as StateFile;
    } catch (error) {
      throw new Error(`Local scheduler: cannot read ${file}: ${(error as Error).message}`);
    }
    for (const group of state.groups ?? []) groups.set(group.name, group);
    for (const stored of state.schedules ?? []) {
      schedules.set(scheduleKey(stored.groupName, stored.name), compile(stored));
    }
  }

  function persist(): void {
    if (!file) return;
    const state: StateFile = {
      version: 1,
      groups: [...groups.values()],
      schedules: [...schedules.values()].map((live) => live.stored),
    };
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(temporary, file);
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

  // ---------------------------------------------------------------------------------------------
  // Validation of CreateSchedule / UpdateSchedule members (wire JSON: timestamps in epoch seconds).

  function toDefinition(name: string, input: Json): ScheduleDefinition {
    if (!NAME.test(name)) {
      throw invalid(`Name '${name}' must be 1 to 64 letters, digits, '-', '_' or '.'`);
    }
    const groupName = optionalString(input, 'GroupName') ?? DEFAULT_GROUP;
    if (!NAME.test(groupName)) {
      throw invalid(`GroupName '${groupName}' must be 1 to 64 letters, digits, '-', '_' or '.'`);
    }
    if (!groups.has(groupName)) {
      throw new SchedulerError('ResourceNotFoundException', `Schedule group ${groupName} does not exist.`);
    }
    const scheduleExpression = optionalString(input, 'ScheduleExpression');
    if (!scheduleExpression) throw invalid('ScheduleExpression is required');
    if (scheduleExpression.length > 256) throw invalid('ScheduleExpression must be at most 256 characters');
    const timeZone = optionalString(input, 'ScheduleExpressionTimezone');
    try {
      parseScheduleExpression(scheduleExpression, timeZone ?? 'UTC');
    } catch (error) {
      if (error instanceof ScheduleExpressionError) throw invalid(error.message);
      throw error;
    }
    const startDate = optionalTimestamp(input, 'StartDate');
    const endDate = optionalTimestamp(input, 'EndDate');
    if (startDate !== undefined && endDate !== undefined && startDate >= endDate) {
      throw invalid('StartDate must be before EndDate');
    }
    const description = optionalString(input, 'Description');
    if (description !== undefined && description.length > 512) {
      throw invalid('Description must be at most 512 characters');
    }
    const state = optionalString(input, 'State') ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') throw invalid('State must be ENABLED or DISABLED');
    const actionAfterCompletion = optionalString(input, 'ActionAfterCompletion') ?? 'NONE';
    if (actionAfterCompletion !== 'NONE' && actionAfterCompletion !== 'DELETE') {
      throw invalid('ActionAfterCompletion must be NONE or DELETE');
    }
    return {
      name,
      groupName,
      scheduleExpression,
      timeZone,
      startDate,
      endDate,
      description,
      state,
      flexibleTimeWindow: validFlexibleTimeWindow(input.FlexibleTimeWindow),
      target: validTarget(input.Target),
      actionAfterCompletion,
      kmsKeyArn: optionalString(input, 'KmsKeyArn'),
    };
  }

  function validFlexibleTimeWindow(value: unknown): Json {
    if (!isObject(value)) throw invalid('FlexibleTimeWindow is required');
    const mode = value.Mode;
    if (mode !== 'OFF' && mode !== 'FLEXIBLE')
      throw invalid('FlexibleTimeWindow.Mode must be OFF or FLEXIBLE');
    const window = value.MaximumWindowInMinutes;
    if (mode === 'FLEXIBLE') {
      if (typeof window !== 'number' || !Number.isInteger(window) || window < 1 || window > 1440) {
        throw invalid('FlexibleTimeWindow.MaximumWindowInMinutes must be 1-1440 when Mode is FLEXIBLE');
      }
      return { Mode: mode, MaximumWindowInMinutes: window };
    }
    // Locally a schedule fires at its exact time whatever the window.
    return { Mode: mode };
  }

  function validTarget(value: unknown): Json {
    if (!isObject(value)) throw invalid('Target is required');
    if (typeof value.Arn !== 'string' || value.Arn === '') throw invalid('Target.Arn is required');
    if (typeof value.RoleArn !== 'string' || value.RoleArn === '')
      throw invalid('Target.RoleArn is required');
    if (!EVENT_BUS_ARN.test(value.Arn)) {
      throw invalid(
        `Target.Arn '${value.Arn}': locally only event-bus targets (EventBridge PutEvents, arn:aws:events:<region>:<account>:event-bus/<name>) are supported`,
      );
    }
    const parameters = value.EventBridgeParameters;
    if (!isObject(parameters)) {
      throw invalid('Target.EventBridgeParameters (DetailType, Source) is required for an event-bus target');
    }
    for (const [member, max] of [
      ['DetailType', 128],
      ['Source', 256],
    ] as const) {
      const text = parameters[member];
      if (typeof text !== 'string' || text.length < 1 || text.length > max) {
        throw invalid(`Target.EventBridgeParameters.${member} must be 1 to ${max} characters`);
      }
    }
    if (value.Input !== undefined) {
      // PutEvents takes the input as the event's detail, which must be a JSON object; AWS would only
      // fail at invocation time (into the dead-letter queue), locally the mistake shows at once.
      let detail: unknown;
      try {
        detail = typeof value.Input === 'string' ? JSON.parse(value.Input) : undefined;
      } catch {
        detail = undefined;
      }
      if (!isObject(detail)) throw invalid('Target.Input must be a JSON object: it becomes the event detail');
    }
    return value;
  }

  // ---------------------------------------------------------------------------------------------
  // Operations, shared by the HTTP API and ensureSchedule.

  function getLive(name: string, groupName: string): LiveSchedule {
    const live = schedules.get(scheduleKey(groupName, name));
    if (!live) {
      throw new SchedulerError('ResourceNotFoundException', `Schedule ${name} does not exist.`);
    }
    return live;
  }

  function createSchedule(name: string, input: Json): { ScheduleArn: string } {
    const definition = toDefinition(name, input);
    const key = scheduleKey(definition.groupName, name);
    const existing = schedules.get(key);
    const clientToken = optionalString(input, 'ClientToken');
    if (existing) {
      // The SDK retries a call with the same ClientToken: the same create is no conflict.
      if (clientToken !== undefined && existing.stored.clientToken === clientToken) {
        return { ScheduleArn: scheduleArn(definition.groupName, name) };
      }
      throw new SchedulerError('ConflictException', `Schedule ${name} already exists.`);
    }
    const now = nowMs();
    const stored: StoredSchedule = {
      ...definition,
      creationDate: now,
      lastModificationDate: now,
      windowStart: now,
      clientToken,
    };
    schedules.set(key, compile(stored));
    persist();
    return { ScheduleArn: scheduleArn(definition.groupName, name) };
  }

  function updateSchedule(name: string, input: Json): { ScheduleArn: string } {
    const definition = toDefinition(name, input);
    const existing = getLive(name, definition.groupName);
    const now = nowMs();
    // UpdateSchedule replaces the whole definition; a new definition starts a new firing history,
    // so a moved one-time schedule fires again at its new time.
    const stored: StoredSchedule = {
      ...definition,
      creationDate: existing.stored.creationDate,
      lastModificationDate: now,
      windowStart: now,
    };
    schedules.set(scheduleKey(definition.groupName, name), compile(stored));
    persist();
    return { ScheduleArn: scheduleArn(definition.groupName, name) };
  }

  function ensureSchedule(input: CreateScheduleInput): { ScheduleArn: string } {
    const name = input.Name ?? '';
    // The wire form, as the SDK would send it (dates become ISO strings, which are accepted too).
    const wire = JSON.parse(JSON.stringify(input)) as Json;
    const definition = toDefinition(name, wire);
    const existing = schedules.get(scheduleKey(definition.groupName, name));
    if (!existing) return createSchedule(name, wire);
    if (sameDefinition(existing.stored, definition)) {
      return { ScheduleArn: scheduleArn(definition.groupName, name) };
    }
    return updateSchedule(name, wire);
  }

  function deleteSchedule(name: string, groupName: string): void {
    getLive(name, groupName);
    schedules.delete(scheduleKey(groupName, name));
    persist();
  }

  function scheduleOutput(live: LiveSchedule): Json {
    const s = live.stored;
    return {
      Arn: scheduleArn(s.groupName, s.name),
      GroupName: s.groupName,
      Name: s.name,
      ScheduleExpression: s.scheduleExpression,
      ScheduleExpressionTimezone: s.timeZone,
      StartDate: toEpochSeconds(s.startDate),
      EndDate: toEpochSeconds(s.endDate),
      Description: s.description,
      State: s.state,
      CreationDate: toEpochSeconds(s.creationDate),
      LastModificationDate: toEpochSeconds(s.lastModificationDate),
      KmsKeyArn: s.kmsKeyArn,
      Target: s.target,
      FlexibleTimeWindow: s.flexibleTimeWindow,
      ActionAfterCompletion: s.actionAfterCompletion,
    };
  }

  function listSchedules(query: URLSearchParams): Json {
    const groupName = query.get('ScheduleGroup');
    const prefix = query.get('NamePrefix');
    const state = query.get('State');
    if (state !== null && state !== 'ENABLED' && state !== 'DISABLED') {
      throw invalid('State must be ENABLED or DISABLED');
    }
    const matching = [...schedules.entries()]
      .filter(([, live]) => groupName === null || live.stored.groupName === groupName)
      .filter(([, live]) => prefix === null || live.stored.name.startsWith(prefix))
      .filter(([, live]) => state === null || live.stored.state === state);
    const { page, nextToken } = paginate(matching, query);
    return {
      Schedules: page.map((live) => ({
        Arn: scheduleArn(live.stored.groupName, live.stored.name),
        Name: live.stored.name,
        GroupName: live.stored.groupName,
        State: live.stored.state,
        CreationDate: toEpochSeconds(live.stored.creationDate),
        LastModificationDate: toEpochSeconds(live.stored.lastModificationDate),
        Target: { Arn: live.stored.target.Arn },
      })),
      NextToken: nextToken,
    };
  }

  function groupOutput(group: StoredGroup): Json {
    return {
      Arn: groupArn(group.name),
      Name: group.name,
      State: 'ACTIVE',
      CreationDate: toEpochSeconds(group.creationDate),
      LastModificationDate: toEpochSeconds(group.lastModificationDate),
    };
  }

  function getGroup(name: string): StoredGroup {
    const group = groups.get(name);
    if (!group)
      throw new SchedulerError('ResourceNotFoundException', `Schedule group ${name} does not exist.`);
    return group;
  }

  function createGroup(name: string, input: Json): Json {
    if (!NAME.test(name)) throw invalid(`Name '${name}' must be 1 to 64 letters, digits, '-', '_' or '.'`);
    if (groups.has(name))
      throw new SchedulerError('ConflictException', `Schedule group ${name} already exists.`);
    const now = nowMs();
    groups.set(name, { name, creationDate: now, lastModificationDate: now, tags: validTags(input.Tags) });
    persist();
    return { ScheduleGroupArn: groupArn(name) };
  }

  function deleteGroup(name: string): void {
    if (name === DEFAULT_GROUP) throw invalid('The default schedule group cannot be deleted');
    getGroup(name);
    groups.delete(name);
    for (const [key, live] of schedules) if (live.stored.groupName === name) schedules.delete(key);
    persist();
  }

  function groupOfArn(arn: string): StoredGroup {
    const prefix = groupArn('');
    const group = arn.startsWith(prefix) ? groups.get(arn.slice(prefix.length)) : undefined;
    if (!group) throw new SchedulerError('ResourceNotFoundException', `Resource ${arn} does not exist.`);
    return group;
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP: the routes of the SDK's schemas (dist-es/schemas/schemas_0.js).

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://scheduler.local');
    const segments = url.pathname.split('/').filter((segment) => segment !== '');
    const resource = segments[0];
    const isScheduler =
      (resource === 'schedules' || resource === 'schedule-groups') && segments.length <= 2
        ? true
        : resource === 'tags' &&
          segments.length === 2 &&
          decode(segments[1]).startsWith('arn:aws:scheduler:');
    if (!isScheduler) return false;
    const method = req.method ?? 'GET';
    const name = segments.length === 2 ? decode(segments[1]) : undefined;
    const query = url.searchParams;
    try {
      const input = parseBody(body);
      send(res, 200, route(method, resource, name, query, input));
    } catch (error) {
      if (error instanceof SchedulerError) send(res, error.status, { Message: error.message }, error.type);
      else send(res, 500, { Message: (error as Error).message }, 'InternalServerException');
    }
    return true;
  }

  function route(
    method: string,
    resource: string,
    name: string | undefined,
    query: URLSearchParams,
    input: Json,
  ) {
    if (resource === 'schedules') {
      if (name === undefined) {
        if (method === 'GET') return listSchedules(query);
      } else {
        const groupName = query.get('groupName') ?? DEFAULT_GROUP;
        if (method === 'POST') return createSchedule(name, input);
        if (method === 'PUT') return updateSchedule(name, input);
        if (method === 'GET') return scheduleOutput(getLive(name, groupName));
        if (method === 'DELETE') {
          deleteSchedule(name, groupName);
          return {};
        }
      }
    } else if (resource === 'schedule-groups') {
      if (name === undefined) {
        if (method === 'GET') {
          const prefix = query.get('NamePrefix');
          const matching = [...groups.entries()].filter(([key]) => prefix === null || key.startsWith(prefix));
          const { page, nextToken } = paginate(matching, query);
          return { ScheduleGroups: page.map(groupOutput), NextToken: nextToken };
        }
      } else {
        if (method === 'POST') return createGroup(name, input);
        if (method === 'GET') return groupOutput(getGroup(name));
        if (method === 'DELETE') {
          deleteGroup(name);
          return {};
        }
      }
    } else if (name !== undefined) {
      const group = groupOfArn(name);
      if (method === 'GET')
        return { Tags: Object.entries(group.tags).map(([Key, Value]) => ({ Key, Value })) };
      if (method === 'POST') {
        Object.assign(group.tags, validTags(input.Tags));
        persist();
        return {};
      }
      if (method === 'DELETE') {
        for (const key of query.getAll('TagKeys')) delete group.tags[key];
        persist();
        return {};
      }
    }
    throw invalid(
      `${method} /${resource}${name === undefined ? '' : '/{Name}'} is not a Scheduler operation`,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Firing.

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
    for (const live of schedules.values()) {
      const due = dueAt(live, limit);
      if (due === undefined) continue;
      if (!best || due < best.due || (due === best.due && compareNames(live.stored, best.live.stored) < 0)) {
        best = { live, due };
      }
    }
    return best;
  }

  async function fireDue(limit: number): Promise<Fired[]> {
    const fired: Fired[] = [];
    for (let count = 0; count < MAX_FIRINGS_PER_PASS; count++) {
      const next = nextDue(limit);
      if (!next) return fired;
      const { live, due } = next;
      const s = live.stored;
      clock.raiseTo(new Date(due));
      // Recorded before putEvents, so the occurrence cannot fire twice even if a handler it runs
      // changes schedules meanwhile.
      s.lastFiredFor = due;
      persist();
      const parameters = s.target.EventBridgeParameters as Json;
      const entry: Fired = {
        name: s.name,
        groupName: s.groupName,
        scheduledFor: new Date(due).toISOString(),
        detailType: String(parameters.DetailType),
      };
      try {
        await putEvents({
          busName: live.bus,
          source: String(parameters.Source),
          detailType: entry.detailType,
          detail: typeof s.target.Input === 'string' ? s.target.Input : '{}',
        });
      } catch (error) {
        entry.error = error instanceof Error ? error.message : String(error);
      }
      fired.push(entry);
      const key = scheduleKey(s.groupName, s.name);
      // Only this very schedule: a handler may have replaced it while its event ran.
      if (
        live.expression.kind === 'at' &&
        s.actionAfterCompletion === 'DELETE' &&
        schedules.get(key) === live
      ) {
        schedules.delete(key);
        persist();
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

  async function advanceTo(t: Date): Promise<Fired[]> {
    return exclusive(async () => {
      const limit = Math.max(t.getTime(), nowMs());
      const fired = await fireDue(limit);
      clock.raiseTo(t);
      return fired;
    });
  }

  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
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
  }

  return { handle, advanceTo, start, stop, ensureSchedule };
}

// -----------------------------------------------------------------------------------------------

function paginate<T>(entries: [string, T][], query: URLSearchParams): { page: T[]; nextToken?: string } {
  const maxText = query.get('MaxResults');
  const max = maxText === null ? MAX_RESULTS : Number(maxText);
  if (!Number.isInteger(max) || max < 1 || max > MAX_RESULTS) {
    throw invalid(`MaxResults must be a whole number from 1 to ${MAX_RESULTS}`);
  }
  const token = query.get('NextToken');
  let after: string | undefined;
  if (token !== null) {
    try {
      after = String(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')).after);
    } catch {
      throw invalid('NextToken is not a token this service returned');
    }
  }
  const sorted = entries
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .filter(([key]) => after === undefined || key > after);
  const page = sorted.slice(0, max);
  const nextToken =
    sorted.length > max
      ? Buffer.from(JSON.stringify({ after: page[page.length - 1][0] })).toString('base64url')
      : undefined;
  return { page: page.map(([, value]) => value), nextToken };
}

function sameDefinition(stored: StoredSchedule, definition: ScheduleDefinition): boolean {
  const pick = (s: ScheduleDefinition) =>
    JSON.stringify([
      s.scheduleExpression,
      s.timeZone,
      s.startDate,
      s.endDate,
      s.description,
      s.state,
      s.flexibleTimeWindow,
      s.target,
      s.actionAfterCompletion,
      s.kmsKeyArn,
    ]);
  return pick(stored) === pick(definition);
}

function compareNames(a: StoredSchedule, b: StoredSchedule): number {
  const byName = a.name.localeCompare(b.name, 'en');
  return byName !== 0 ? byName : a.groupName.localeCompare(b.groupName, 'en');
}

function parseBody(body: Buffer): Json {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid('The request body is not valid JSON');
  }
  if (!isObject(parsed)) throw invalid('The request body must be a JSON object');
  return parsed;
}

function send(res: ServerResponse, status: number, payload: Json, errorType?: string): void {
  const text = JSON.stringify(payload);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(text);
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(input: Json, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${member} must be a string`);
  return value;
}

/** restJson1 sends timestamps as epoch seconds (the SDK's default format 7). */
function optionalTimestamp(input: Json, member: string): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  const ms =
    typeof value === 'number'
      ? value * 1000
      : typeof value === 'string'
        ? /^\d+(\.\d+)?$/.test(value)
          ? Number(value) * 1000
          : Date.parse(value)
        : Number.NaN;
  if (!Number.isFinite(ms)) throw invalid(`${member} must be a timestamp`);
  return Math.round(ms);
}

function toEpochSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

function validTags(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!Array.isArray(value)) throw invalid('Tags must be a list of {Key, Value}');
  const tags: Record<string, string> = {};
  for (const tag of value) {
    if (!isObject(tag) || typeof tag.Key !== 'string' || typeof tag.Value !== 'string') {
      throw invalid('Tags must be a list of {Key, Value}');
    }
    tags[tag.Key] = tag.Value;
  }
  return tags;
}
