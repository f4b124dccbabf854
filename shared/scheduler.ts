import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { ruleTargetRetry } from '#infra/function-settings.ts';
import { config } from './config.ts';
import type { EventContract } from './events/envelope.ts';
import { wholeMinuteFrom } from './whole-minute.ts';

/** One-time EventBridge Scheduler schedules, created, moved and deleted the one way (docs/design.md#schedules). */

/** The `at()` of a schedule firing at an instant: on its first whole minute, so never early. */
export const atExpression = (epochMs: number): string => `at(${wholeMinuteFrom(epochMs)})`;

/**
 * A one-time schedule that puts one event on the Backline bus at an instant (Scheduler's templated
 * target for PutEvents), deleting itself after it fired. Written in UTC, whatever zone the moment was
 * stated in: Scheduler skips a wall time a DST gap leaves out (a release day at 00:00 where clocks
 * go from 00:00 to 01:00 would never fire) and leaves unsaid which of an overlap's two it takes, while
 * the instant was settled with `Temporal` (docs/design.md#schedules).
 */
export function oneTimeSchedule(schedule: {
  name: string;
  description: string;
  /** When it fires, in epoch milliseconds (at the next whole minute). */
  at: number;
  contract: Pick<EventContract, 'detailType' | 'source'>;
  detail: unknown;
}): CreateScheduleCommandInput {
  return {
    Name: schedule.name,
    GroupName: config().SCHEDULE_GROUP,
    Description: schedule.description.slice(0, 512),
    ScheduleExpression: atExpression(schedule.at),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    State: 'ENABLED',
    Target: {
      Arn: config().EVENT_BUS_ARN,
      RoleArn: config().SCHEDULER_ROLE_ARN,
      Input: JSON.stringify(schedule.detail),
      EventBridgeParameters: { DetailType: schedule.contract.detailType, Source: schedule.contract.source },
      // Scheduler's own defaults, stated: a day of retries for a release day or a show step that could
      // not be put on the bus, then its dead-letter queue rather than nowhere: alarmed, and put on the
      // bus again, late, by `npm run redrive` (docs/design.md#schedules).
      RetryPolicy: {
        MaximumEventAgeInSeconds: ruleTargetRetry.maxEventAgeSeconds,
        MaximumRetryAttempts: ruleTargetRetry.retryAttempts,
      },
      DeadLetterConfig: { Arn: config().SCHEDULE_DEAD_LETTER_ARN },
    },
  };
}

const isNamed = (error: unknown, type: { name: string }, name: string) =>
  error instanceof (type as unknown as new () => Error) || (error as Error)?.name === name;

/**
 * Create; on ConflictException it exists: update it (moving it is an update). An update can find it
 * gone (it fired and deleted itself meanwhile): then create again. Bounded, in case of a race with a delete.
 */
export async function upsertSchedule(
  client: SchedulerClient,
  input: CreateScheduleCommandInput,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new CreateScheduleCommand(input));
      return;
    } catch (error) {
      if (!isNamed(error, ConflictException, 'ConflictException')) throw error;
    }
    try {
      await client.send(new UpdateScheduleCommand(input));
      return;
    } catch (error) {
      if (!isNamed(error, ResourceNotFoundException, 'ResourceNotFoundException') || attempt >= 3)
        throw error;
    }
  }
}

/** Deletes a schedule; one that is not there (fired, never made) is fine. */
export async function deleteSchedule(
  client: SchedulerClient,
  name: string,
  groupName: string,
): Promise<void> {
  try {
    await client.send(new DeleteScheduleCommand({ Name: name, GroupName: groupName }));
  } catch (error) {
    if (!isNamed(error, ResourceNotFoundException, 'ResourceNotFoundException')) throw error;
  }
}
