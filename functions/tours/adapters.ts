import type { CreateScheduleCommandInput, SchedulerClient } from '@aws-sdk/client-scheduler';
import { timeoutSeconds as timeouts } from '#infra/function-settings.ts';
import { dynamo, scheduler } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoChangeSteps } from '#shared/db/change-steps.ts';
import { nameHash } from '#shared/db/keys.ts';
import { outletListing } from '#shared/db/outlet-listing.ts';
import { outletsById } from '#shared/db/outlets-by-id.ts';
import {
  dynamoClaimAwaitingAdvance,
  dynamoNotePressAndClaim,
  dynamoPressNotes,
} from '#shared/db/press-notes.ts';
import { dynamoSuppressionList } from '#shared/db/suppression-list.ts';
import { dynamoTourSteps } from '#shared/db/tours.ts';
import { buildDetail } from '#shared/events/envelope.ts';
import { ShowStepDue } from '#shared/events/show-step-due.ts';
import { liveMailDeps } from '#shared/mail/ses.ts';
import { deleteSchedule, oneTimeSchedule, upsertSchedule } from '#shared/scheduler.ts';
import { tokenSigningKey } from '#shared/secrets.ts';
import {
  advanceUrl,
  signAdvanceToken,
  signTourManagerToken,
  tourManagerUrl,
  unsubscribeToken,
  unsubscribeUrl,
} from '#shared/tokens.ts';
import { moduleTourMailer } from './mailer.ts';
import {
  type ShowSchedules,
  type ShowStepSchedule,
  type TourLinks,
  type ToursDeps,
  toursSettingsFrom,
} from './ports.ts';

/**
 * A show step's schedule name: a hash of the JSON tuple [labelId, tourId, showId, step], so no two
 * labels' or tours' ids can meet (see docs/design.md#unambiguous-keys). `show-step-` + 40 hex
 * characters fit Scheduler's 64; the ids travel in the target input.
 */
export const showStepScheduleName = (ref: {
  labelId: string;
  tourId: string;
  showId: string;
  step: string;
}) => `show-step-${nameHash([ref.labelId, ref.tourId, ref.showId, ref.step])}`;

/** A one-time `at()` at the step's instant that puts Show Step Due (with the instant it is for) on the bus. */
export function showStepScheduleInput(schedule: ShowStepSchedule): CreateScheduleCommandInput {
  const { labelId, tourId, showId, moment } = schedule;
  const detail = buildDetail(
    ShowStepDue,
    { labelId, tourId, showId, step: moment.step, scheduledFor: moment.scheduledFor },
    { correlationId: schedule.correlationId, labelId },
  );
  return oneTimeSchedule({
    name: showStepScheduleName({ labelId, tourId, showId, step: moment.step }),
    description: `${moment.step} of ${labelId}/${tourId}/${showId}`,
    at: Date.parse(moment.firesAt),
    contract: ShowStepDue,
    detail,
  });
}

export const schedulerShowSchedules = (client: () => SchedulerClient = scheduler): ShowSchedules => ({
  upsert: (schedule) => upsertSchedule(client(), showStepScheduleInput(schedule)),
  delete: (ref) => deleteSchedule(client(), showStepScheduleName(ref), config().SCHEDULE_GROUP),
});

export const signedTourLinks = (key: () => Promise<string> = tokenSigningKey): TourLinks => ({
  advance: async (claims) => advanceUrl(config().PUBLIC_BASE_URL, signAdvanceToken(await key(), claims)),
  tourManager: async (claims) =>
    tourManagerUrl(config().PUBLIC_BASE_URL, signTourManagerToken(await key(), claims)),
});

const timeoutSeconds = timeouts.tours;

export const liveDeps = (): ToursDeps => ({
  tours: {
    ...dynamoTourSteps(dynamo(), config().TABLE_NAME),
    ...dynamoPressNotes(dynamo(), config().TABLE_NAME),
    ...dynamoChangeSteps(dynamo(), config().TABLE_NAME),
  },
  outlets: {
    ...outletListing(dynamo(), config().TABLE_NAME),
    getMany: (outletIds) => outletsById(dynamo(), config().TABLE_NAME, outletIds),
  },
  schedules: schedulerShowSchedules(),
  mailer: moduleTourMailer(
    liveMailDeps('tours', timeoutSeconds),
    async (claims) => unsubscribeUrl(config().PUBLIC_BASE_URL, await unsubscribeToken(claims)),
    // Leaves a margin of the invocation for recording the step after the mail.
    (timeoutSeconds - 10) * 1000,
    dynamoNotePressAndClaim(dynamo(), config().TABLE_NAME),
    dynamoClaimAwaitingAdvance(dynamo(), config().TABLE_NAME),
  ),
  // The table's suppression list (tours reads opt-outs by address, and writes none).
  suppressions: dynamoSuppressionList(dynamo(), config().TABLE_NAME),
  links: signedTourLinks(),
  settings: toursSettingsFrom(process.env),
  now: () => new Date(),
});
