import * as z from 'zod';
import { defineEvent } from './envelope.ts';
import { IsoDate, LocalTime, TimeZone } from './fields.ts';

export const RadioServicingDue = defineEvent({
  detailType: 'Radio Servicing Due',
  source: 'backline.scheduler',
  schemaVersion: 1,
  description:
    "One of a release's radio servicing moments came (09:00 on the servicing date in a territory's zone): its one-time schedule fired, carrying the moment it was set for.",
  data: z.object({
    labelId: z.string().min(1),
    releaseId: z.string().min(1),
    releaseDate: IsoDate,
    releaseTime: LocalTime,
    timeZone: TimeZone,
  }),
  sample: {
    labelId: 'lbl-nightshift',
    releaseId: 'rel-2027-nightdrive',
    releaseDate: '2027-02-22',
    releaseTime: '09:00',
    timeZone: 'Europe/London',
  },
});
