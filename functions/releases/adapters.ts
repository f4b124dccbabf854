import type { CreateScheduleCommandInput, SchedulerClient } from '@aws-sdk/client-scheduler';
import { dynamo, scheduler } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { nameHash } from '#shared/db/keys.ts';
import { dynamoReleases } from '#shared/db/releases.ts';
import { AnnouncementDue } from '#shared/events/announcement-due.ts';
import { buildDetail } from '#shared/events/envelope.ts';
import { RadioServicingDue } from '#shared/events/radio-servicing-due.ts';
import { ReleaseDayReached } from '#shared/events/release-day-reached.ts';
import { instantOf, type ReleaseMoment, revisionOf } from '#shared/releases.ts';
import { deleteSchedule, oneTimeSchedule, upsertSchedule } from '#shared/scheduler.ts';
import type {
  AnnouncementSchedule,
  RadioServicingSchedule,
  ReleaseDaySchedule,
  ReleasesDeps,
  Schedules,
} from './ports.ts';

/**
 * The release-day schedule's name: a hash of the JSON tuple [labelId, releaseId] (with street dates
 * per territory, [labelId, releaseId, moment], one per moment), so that two labels'
 * release ids can never meet, whatever characters they hold (see docs/design.md#unambiguous-keys).
 * Scheduler names are 1-64 characters of `[0-9a-zA-Z-_.]`: 12 + 40 fit. The ids travel in the target input.
 */
export const releaseDayScheduleName = (labelId: string, releaseId: string, moment?: ReleaseMoment): string =>
  `release-day-${nameHash(moment ? [labelId, releaseId, revisionOf(moment)] : [labelId, releaseId])}`;

/** The CreateSchedule/UpdateSchedule request: a one-time `at()` at the release day's instant that puts an event on the bus. */
export function releaseDayScheduleInput(schedule: ReleaseDaySchedule): CreateScheduleCommandInput {
  const { labelId, releaseId, moment } = schedule;
  const detail = buildDetail(
    ReleaseDayReached,
    { labelId, releaseId, ...moment },
    { correlationId: schedule.correlationId, labelId },
  );
  return oneTimeSchedule({
    name: releaseDayScheduleName(labelId, releaseId, schedule.perMoment ? moment : undefined),
    description: `Release day of ${labelId}/${releaseId}`,
    at: instantOf(moment),
    contract: ReleaseDayReached,
    detail,
  });
}

/** The embargo's schedule: `announce-` + the same kind of hash, for the same reasons. */
export const announcementScheduleName = (labelId: string, releaseId: string, announceAt?: string): string =>
  `announce-${nameHash(announceAt ? [labelId, releaseId, announceAt] : [labelId, releaseId])}`;

/**
 * A one-time `at()` at `announceAt`, rounded up to the whole minute (`oneTimeSchedule`): a schedule
 * for 09:00:30 must not fire at 09:00:00, still under embargo.
 */
export function announcementScheduleInput(schedule: AnnouncementSchedule): CreateScheduleCommandInput {
  const { labelId, releaseId, announceAt } = schedule;
  const detail = buildDetail(
    AnnouncementDue,
    { labelId, releaseId, announceAt },
    { correlationId: schedule.correlationId, labelId },
  );
  return oneTimeSchedule({
    name: announcementScheduleName(labelId, releaseId, schedule.perInstant ? announceAt : undefined),
    description: `End of the embargo of ${labelId}/${releaseId}`,
    at: Date.parse(announceAt),
    contract: AnnouncementDue,
    detail,
  });
}

/** A radio servicing moment's schedule: `radio-` + a hash of [labelId, releaseId, moment], for the same reasons. */
export const radioServicingScheduleName = (
  labelId: string,
  releaseId: string,
  moment: ReleaseMoment,
): string => `radio-${nameHash([labelId, releaseId, revisionOf(moment)])}`;

/** A one-time `at()` at the instant of 09:00 on the servicing date in the moment's zone (see docs/design.md#radio-servicing). */
export function radioServicingScheduleInput(schedule: RadioServicingSchedule): CreateScheduleCommandInput {
  const { labelId, releaseId, moment } = schedule;
  const detail = buildDetail(
    RadioServicingDue,
    { labelId, releaseId, ...moment },
    { correlationId: schedule.correlationId, labelId },
  );
  return oneTimeSchedule({
    name: radioServicingScheduleName(labelId, releaseId, moment),
    description: `Radio servicing of ${labelId}/${releaseId}`,
    at: instantOf(moment),
    contract: RadioServicingDue,
    detail,
  });
}

export function schedulerSchedules(client: () => SchedulerClient = scheduler): Schedules {
  const remove = (name: string) => deleteSchedule(client(), name, config().SCHEDULE_GROUP);
  return {
    upsertReleaseDay: (schedule) => upsertSchedule(client(), releaseDayScheduleInput(schedule)),
    deleteReleaseDay: (labelId, releaseId, moment) =>
      remove(releaseDayScheduleName(labelId, releaseId, moment)),
    upsertAnnouncement: (schedule) => upsertSchedule(client(), announcementScheduleInput(schedule)),
    deleteAnnouncement: (labelId, releaseId) => remove(announcementScheduleName(labelId, releaseId)),
    upsertRadioServicing: (schedule) => upsertSchedule(client(), radioServicingScheduleInput(schedule)),
    deleteRadioServicing: (labelId, releaseId, moment) =>
      remove(radioServicingScheduleName(labelId, releaseId, moment)),
  };
}

export const liveDeps = (): ReleasesDeps => ({
  releases: dynamoReleases(dynamo(), config().TABLE_NAME),
  schedules: schedulerSchedules(),
  now: () => new Date(),
});
