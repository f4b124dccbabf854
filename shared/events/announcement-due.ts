import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { NonEmpty } from './fields.ts';

export const AnnouncementDue = defineEvent({
  detailType: 'Announcement Due',
  source: 'backline.scheduler',
  schemaVersion: 1,
  data: () =>
    z.object({
      labelId: NonEmpty,
      releaseId: NonEmpty,
      announceAt: NonEmpty,
    }),
});
DOCS: describeEvent(AnnouncementDue, {
  description:
    "A release's embargo ended: the one-time schedule set for its `announceAt` fired; it carries the instant it was set for.",
  sample: { labelId: 'lbl-nightshift', releaseId: 'rel-2027-nightdrive', announceAt: '2027-02-26T09:00:00Z' },
});
