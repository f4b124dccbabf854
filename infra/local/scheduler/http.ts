// The Scheduler REST API (restJson1): the routes of the SDK's schemas
// (@aws-sdk/client-scheduler dist-es/schemas/schemas_0.js) mapped onto the operations.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ScheduleOperations } from './operations.ts';
import { DEFAULT_GROUP, invalid, isObject, type Json, SchedulerError } from './validation.ts';

/**
 * Serves the request: answers the name of the Scheduler operation it took (`CreateSchedule`), as the
 * local cloud counts its requests, or the method and path of a request that is none; false when the
 * path is not the Scheduler's.
 */
export function schedulerHttp(operations: ScheduleOperations) {
  return async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
  ): Promise<string | false> {
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
    const name = segments.length === 2 ? decode(segments[1]) : undefined;
    const request = `${req.method ?? 'GET'} /${resource}${name === undefined ? '' : '/{Name}'}`;
    const route = routes[request];
    try {
      if (!route) throw invalid(`${request} is not a Scheduler operation`);
      send(res, 200, route.run(operations, name ?? '', url.searchParams, parseBody(body)));
    } catch (error) {
      if (error instanceof SchedulerError) send(res, error.status, { Message: error.message }, error.type);
      else send(res, 500, { Message: (error as Error).message }, 'InternalServerException');
    }
    return route?.operation ?? request;
  };
}

type Run = (operations: ScheduleOperations, name: string, query: URLSearchParams, input: Json) => Json;
const groupOf = (query: URLSearchParams) => query.get('groupName') ?? DEFAULT_GROUP;

/** Each operation by its method and path. */
const routes: Record<string, { operation: string; run: Run }> = {
  'GET /schedules': { operation: 'ListSchedules', run: (ops, _, query) => ops.listSchedules(query) },
  'POST /schedules/{Name}': {
    operation: 'CreateSchedule',
    run: (ops, name, _, input) => ops.createSchedule(name, input),
  },
  'PUT /schedules/{Name}': {
    operation: 'UpdateSchedule',
    run: (ops, name, _, input) => ops.updateSchedule(name, input),
  },
  'GET /schedules/{Name}': {
    operation: 'GetSchedule',
    run: (ops, name, query) => ops.scheduleOutput(ops.getLive(name, groupOf(query))),
  },
  'DELETE /schedules/{Name}': {
    operation: 'DeleteSchedule',
    run: (ops, name, query) => {
      ops.deleteSchedule(name, groupOf(query));
      return {};
    },
  },
  'GET /schedule-groups': { operation: 'ListScheduleGroups', run: (ops, _, query) => ops.listGroups(query) },
  'POST /schedule-groups/{Name}': {
    operation: 'CreateScheduleGroup',
    run: (ops, name, _, input) => ops.createGroup(name, input),
  },
  'GET /schedule-groups/{Name}': {
    operation: 'GetScheduleGroup',
    run: (ops, name) => ops.groupOutput(ops.getGroup(name)),
  },
  'DELETE /schedule-groups/{Name}': {
    operation: 'DeleteScheduleGroup',
    run: (ops, name) => {
      ops.deleteGroup(name);
      return {};
    },
  },
  'GET /tags/{Name}': { operation: 'ListTagsForResource', run: (ops, name) => ops.listTags(name) },
  'POST /tags/{Name}': {
    operation: 'TagResource',
    run: (ops, name, _, input) => {
      ops.tagResource(name, input.Tags);
      return {};
    },
  },
  'DELETE /tags/{Name}': {
    operation: 'UntagResource',
    run: (ops, name, query) => {
      ops.untagResource(name, query.getAll('TagKeys'));
      return {};
    },
  },
};

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
