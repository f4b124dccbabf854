import type { CreateScheduleCommandInput, SchedulerClient } from '@aws-sdk/client-scheduler';
import { dynamo, scheduler } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { nameHash } from '#shared/db/keys.ts';
import { dynamoReleases } from '#shared/db/releases.ts';
import { buildDetail } from '#shared/events/envelope.ts';
import { ReleaseDayReached } from '#shared/events/release-day-reached.ts';
import { deleteSchedule, upsertSchedule } from '#shared/scheduler.ts';
import type { ReleaseDaySchedule, ReleasesDeps, Schedules } from './ports.ts';

/**
 * The release-day schedule's name: a hash of the JSON tuple [labelId, releaseId], so that two labels'
 * release ids can never meet, whatever characters they hold (see docs/design.md#unambiguous-keys).
 * Scheduler names are 1-64 characters of `[0-9a-zA-Z-_.]`: 12 + 40 fit. The ids travel in the target input.
 */
export const releaseDayScheduleName = (labelId: string, releaseId: string): string =>
  `release-day-${nameHash([labelId, releaseId])}`;

/** The CreateSchedule/UpdateSchedule request: a one-time `at()` in the release's zone that puts an event on the bus. */
export function releaseDayScheduleInput(schedule: ReleaseDaySchedule): CreateScheduleCommandInput {
  const { labelId, releaseId, moment } = schedule;
  const detail = buildDetail(
    ReleaseDayReached,
    { labelId, releaseId, ...moment },
    { correlationId: schedule.correlationId, labelId },
  );
  return {
    Name: releaseDayScheduleName(labelId, releaseId),
    GroupName: config().SCHEDULE_GROUP,
    Description: `Release day of ${labelId}/${releaseId}`.slice(0, 512),
    ScheduleExpression: `at(${moment.releaseDate}T${moment.releaseTime}:00)`,
    ScheduleExpressionTimezone: moment.timeZone,
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    State: 'ENABLED',
    Target: {
      Arn: config().EVENT_BUS_ARN,
      RoleArn: config().SCHEDULER_ROLE_ARN,
      Input: JSON.stringify(detail),
      EventBridgeParameters: { DetailType: ReleaseDayReached.detailType, Source: ReleaseDayReached.source },
    },
  };
}

export function schedulerSchedules(client: () => SchedulerClient = scheduler): Schedules {
  return {
    upsertReleaseDay: (schedule) => upsertSchedule(client(), releaseDayScheduleInput(schedule)),
    deleteReleaseDay: (labelId, releaseId) =>
      deleteSchedule(client(), releaseDayScheduleName(labelId, releaseId), config().SCHEDULE_GROUP),
  };
}

export const liveDeps = (): ReleasesDeps => ({
  releases: dynamoReleases(dynamo(), config().TABLE_NAME),
  schedules: schedulerSchedules(),
  now: () => new Date(),
});
