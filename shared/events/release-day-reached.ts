import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { IsoDate, LocalTime, NonEmpty, TimeZone } from './fields.ts';

/** A release's moment a one-time schedule was set for: the date and time in a zone. */
export const ReleaseMoment = z.object({
  labelId: NonEmpty,
  releaseId: NonEmpty,
  releaseDate: IsoDate,
  releaseTime: LocalTime,
  timeZone: TimeZone,
});

export const ReleaseDayReached = defineEvent({
  detailType: 'Release Day Reached',
  source: 'backline.scheduler',
  schemaVersion: 1,
  data: () => ReleaseMoment,
});
DOCS: describeEvent(ReleaseDayReached, {
  description: "A release's one-time schedule fired; it carries the date and time it was set for.",
  sample: {
    labelId: 'lbl-nightshift',
    releaseId: 'rel-2027-nightdrive',
    releaseDate: '2027-03-05',
    releaseTime: '00:00',
    timeZone: 'Europe/London',
  },
});
