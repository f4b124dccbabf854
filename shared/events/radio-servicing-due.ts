import { defineEvent, describeEvent } from './envelope.ts';
import { ReleaseMoment } from './release-day-reached.ts';

export const RadioServicingDue = defineEvent({
  detailType: 'Radio Servicing Due',
  source: 'backline.scheduler',
  schemaVersion: 1,
  data: () => ReleaseMoment,
});
DOCS: describeEvent(RadioServicingDue, {
  description:
    "One of a release's radio servicing moments came (09:00 on the servicing date in a territory's zone): its one-time schedule fired, carrying the moment it was set for.",
  sample: {
    labelId: 'lbl-nightshift',
    releaseId: 'rel-2027-nightdrive',
    releaseDate: '2027-02-22',
    releaseTime: '09:00',
    timeZone: 'Europe/London',
  },
});
