// The Scheduler REST API (restJson1): the routes of the SDK's schemas
// (@aws-sdk/client-scheduler dist-es/schemas/schemas_0.js) mapped onto the operations.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ScheduleOperations } from './operations.ts';
import { DEFAULT_GROUP, invalid, isObject, type Json, SchedulerError } from './validation.ts';

/** Serves the request; false when the path is not the Scheduler's. */
export function schedulerHttp(operations: ScheduleOperations) {
  return async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<boolean> {
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
    try {
      const input = parseBody(body);
      send(res, 200, route(operations, method, resource, name, url.searchParams, input));
    } catch (error) {
      if (error instanceof SchedulerError) send(res, error.status, { Message: error.message }, error.type);
      else send(res, 500, { Message: (error as Error).message }, 'InternalServerException');
    }
    return true;
  };
}

function route(
  operations: ScheduleOperations,
  method: string,
  resource: string,
  name: string | undefined,
  query: URLSearchParams,
  input: Json,
): Json {
  if (resource === 'schedules') {
    if (name === undefined) {
      if (method === 'GET') return operations.listSchedules(query);
    } else {
      const groupName = query.get('groupName') ?? DEFAULT_GROUP;
      if (method === 'POST') return operations.createSchedule(name, input);
      if (method === 'PUT') return operations.updateSchedule(name, input);
      if (method === 'GET') return operations.scheduleOutput(operations.getLive(name, groupName));
      if (method === 'DELETE') {
        operations.deleteSchedule(name, groupName);
        return {};
      }
    }
  } else if (resource === 'schedule-groups') {
    if (name === undefined) {
      if (method === 'GET') return operations.listGroups(query);
    } else {
      if (method === 'POST') return operations.createGroup(name, input);
      if (method === 'GET') return operations.groupOutput(operations.getGroup(name));
      if (method === 'DELETE') {
        operations.deleteGroup(name);
        return {};
      }
    }
  } else if (name !== undefined) {
    operations.groupOfArn(name);
    if (method === 'GET') return operations.listTags(name);
    if (method === 'POST') {
      operations.tagResource(name, input.Tags);
      return {};
    }
    if (method === 'DELETE') {
      operations.untagResource(name, query.getAll('TagKeys'));
      return {};
    }
  }
  throw invalid(`${method} /${resource}${name === undefined ? '' : '/{Name}'} is not a Scheduler operation`);
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
