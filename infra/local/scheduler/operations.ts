// The Scheduler's operations over the store, shared by the HTTP API and `ensureSchedule`.

import type { CreateScheduleInput } from '@aws-sdk/client-scheduler';
import { type LiveSchedule, ScheduleStore, type StoredGroup, type StoredSchedule } from './store.ts';
import {
  DEFAULT_GROUP,
  invalid,
  type Json,
  NAME,
  notFound,
  optionalString,
  type ScheduleDefinition,
  SchedulerError,
  toDefinition,
  validTags,
} from './validation.ts';

const MAX_RESULTS = 100;

export type ScheduleOperations = ReturnType<typeof scheduleOperations>;

export function scheduleOperations(options: {
  store: ScheduleStore;
  nowMs: () => number;
  account: string;
  region: string;
}) {
  const { store, nowMs, account, region } = options;
  const { groups, schedules } = store;
  const groupArn = (name: string) => `arn:aws:scheduler:${region}:${account}:schedule-group/${name}`;
  const scheduleArn = (groupName: string, name: string) =>
    `arn:aws:scheduler:${region}:${account}:schedule/${groupName}/${name}`;
  const definitionOf = (name: string, input: Json) => toDefinition(name, input, (group) => groups.has(group));

  function getLive(name: string, groupName: string): LiveSchedule {
    const live = store.get(groupName, name);
    if (!live) throw notFound(`Schedule ${name} does not exist.`);
    return live;
  }

  function createSchedule(name: string, input: Json): { ScheduleArn: string } {
    const definition = definitionOf(name, input);
    const existing = store.get(definition.groupName, name);
    const clientToken = optionalString(input, 'ClientToken');
    if (existing) {
      // The SDK retries a call with the same ClientToken: the same create is no conflict.
      if (clientToken !== undefined && existing.stored.clientToken === clientToken) {
        return { ScheduleArn: scheduleArn(definition.groupName, name) };
      }
      throw new SchedulerError('ConflictException', `Schedule ${name} already exists.`);
    }
    const now = nowMs();
    store.put({ ...definition, creationDate: now, lastModificationDate: now, windowStart: now, clientToken });
    return { ScheduleArn: scheduleArn(definition.groupName, name) };
  }

  function updateSchedule(name: string, input: Json): { ScheduleArn: string } {
    const definition = definitionOf(name, input);
    const existing = getLive(name, definition.groupName);
    const now = nowMs();
    // UpdateSchedule replaces the whole definition; a new definition starts a new firing history,
    // so a moved one-time schedule fires again at its new time.
    store.put({
      ...definition,
      creationDate: existing.stored.creationDate,
      lastModificationDate: now,
      windowStart: now,
    });
    return { ScheduleArn: scheduleArn(definition.groupName, name) };
  }

  /** Creates the schedule, or updates it when one of that name exists (no-op when unchanged). */
  function ensureSchedule(input: CreateScheduleInput): { ScheduleArn: string } {
    const name = input.Name ?? '';
    // The wire form, as the SDK would send it (dates become ISO strings, which are accepted too).
    const wire = JSON.parse(JSON.stringify(input)) as Json;
    const definition = definitionOf(name, wire);
    const existing = store.get(definition.groupName, name);
    if (!existing) return createSchedule(name, wire);
    if (sameDefinition(existing.stored, definition)) {
      return { ScheduleArn: scheduleArn(definition.groupName, name) };
    }
    return updateSchedule(name, wire);
  }

  function deleteSchedule(name: string, groupName: string): void {
    getLive(name, groupName);
    store.deleteSchedule(ScheduleStore.key(groupName, name));
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

  function listGroups(query: URLSearchParams): Json {
    const prefix = query.get('NamePrefix');
    const matching = [...groups.entries()].filter(([key]) => prefix === null || key.startsWith(prefix));
    const { page, nextToken } = paginate(matching, query);
    return { ScheduleGroups: page.map(groupOutput), NextToken: nextToken };
  }

  function getGroup(name: string): StoredGroup {
    const group = groups.get(name);
    if (!group) throw notFound(`Schedule group ${name} does not exist.`);
    return group;
  }

  function createGroup(name: string, input: Json): Json {
    if (!NAME.test(name)) throw invalid(`Name '${name}' must be 1 to 64 letters, digits, '-', '_' or '.'`);
    if (groups.has(name))
      throw new SchedulerError('ConflictException', `Schedule group ${name} already exists.`);
    const now = nowMs();
    store.putGroup({ name, creationDate: now, lastModificationDate: now, tags: validTags(input.Tags) });
    return { ScheduleGroupArn: groupArn(name) };
  }

  function deleteGroup(name: string): void {
    if (name === DEFAULT_GROUP) throw invalid('The default schedule group cannot be deleted');
    getGroup(name);
    store.deleteGroup(name);
  }

  function groupOfArn(arn: string): StoredGroup {
    const prefix = groupArn('');
    const group = arn.startsWith(prefix) ? groups.get(arn.slice(prefix.length)) : undefined;
    if (!group) throw notFound(`Resource ${arn} does not exist.`);
    return group;
  }

  function listTags(arn: string): Json {
    return { Tags: Object.entries(groupOfArn(arn).tags).map(([Key, Value]) => ({ Key, Value })) };
  }

  function tagResource(arn: string, tags: unknown): void {
    const group = groupOfArn(arn);
    Object.assign(group.tags, validTags(tags));
    store.putGroup(group);
  }

  function untagResource(arn: string, keys: string[]): void {
    const group = groupOfArn(arn);
    for (const key of keys) delete group.tags[key];
    store.putGroup(group);
  }

  return {
    getLive,
    createSchedule,
    updateSchedule,
    ensureSchedule,
    deleteSchedule,
    scheduleOutput,
    listSchedules,
    listGroups,
    getGroup,
    groupOutput,
    createGroup,
    deleteGroup,
    groupOfArn,
    listTags,
    tagResource,
    untagResource,
  };
}

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

function toEpochSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}
