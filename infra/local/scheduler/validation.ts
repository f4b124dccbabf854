// Validation of CreateSchedule / UpdateSchedule members (wire JSON: timestamps in epoch seconds),
// answered with the errors the service gives.

import { parseScheduleExpression, ScheduleExpressionError } from './expressions.ts';

export type Json = Record<string, unknown>;

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

export const invalid = (message: string) => new SchedulerError('ValidationException', message);
export const notFound = (message: string) => new SchedulerError('ResourceNotFoundException', message);

export const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
export const EVENT_BUS_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/([A-Za-z0-9._\-/]+)$/;
export const DEFAULT_GROUP = 'default';

export interface ScheduleDefinition {
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

export function toDefinition(
  name: string,
  input: Json,
  groupExists: (name: string) => boolean,
): ScheduleDefinition {
  if (!NAME.test(name)) {
    throw invalid(`Name '${name}' must be 1 to 64 letters, digits, '-', '_' or '.'`);
  }
  const groupName = optionalString(input, 'GroupName') ?? DEFAULT_GROUP;
  if (!NAME.test(groupName)) {
    throw invalid(`GroupName '${groupName}' must be 1 to 64 letters, digits, '-', '_' or '.'`);
  }
  if (!groupExists(groupName)) throw notFound(`Schedule group ${groupName} does not exist.`);
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
  if (mode !== 'OFF' && mode !== 'FLEXIBLE') throw invalid('FlexibleTimeWindow.Mode must be OFF or FLEXIBLE');
  const window = value.MaximumWindowInMinutes;
  if (mode === 'FLEXIBLE') {
    if (typeof window !== 'number' || !Number.isInteger(window) || window < 1 || window > 1440) {
      throw invalid('FlexibleTimeWindow.MaximumWindowInMinutes must be 1-1440 when Mode is FLEXIBLE');
    }
    return { Mode: mode, MaximumWindowInMinutes: window };
  }
  // OFF: fired at its time; FLEXIBLE: at its window's end (firing.ts, flexibleWindowMs).
  return { Mode: mode };
}

function validTarget(value: unknown): Json {
  if (!isObject(value)) throw invalid('Target is required');
  if (typeof value.Arn !== 'string' || value.Arn === '') throw invalid('Target.Arn is required');
  if (typeof value.RoleArn !== 'string' || value.RoleArn === '') throw invalid('Target.RoleArn is required');
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
  if (value.DeadLetterConfig !== undefined) {
    const arn = isObject(value.DeadLetterConfig) ? value.DeadLetterConfig.Arn : undefined;
    if (typeof arn !== 'string' || !/^arn:aws(-[a-z]+)?:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9_-]+$/.test(arn)) {
      throw invalid('Target.DeadLetterConfig.Arn must be the ARN of an SQS queue');
    }
  }
  if (value.RetryPolicy !== undefined) {
    const policy = isObject(value.RetryPolicy) ? value.RetryPolicy : {};
    const inRange = (member: string, min: number, max: number) => {
      const n = policy[member];
      if (n !== undefined && (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)) {
        throw invalid(`Target.RetryPolicy.${member} must be an integer from ${min} to ${max}`);
      }
    };
    inRange('MaximumRetryAttempts', 0, 185);
    inRange('MaximumEventAgeInSeconds', 60, 86_400);
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

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalString(input: Json, member: string): string | undefined {
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

export function validTags(value: unknown): Record<string, string> {
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
