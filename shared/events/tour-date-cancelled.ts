import * as z from 'zod';
import { defineEvent } from './envelope.ts';
import { sampleTourDate, TourDate } from './tour-booked.ts';

export const TourDateCancelled = defineEvent({
  detailType: 'Tour Date Cancelled',
  source: 'backline.intake',
  schemaVersion: 1,
  description: 'A date of a booked tour was cancelled.',
  data: z.object({ tourId: z.string().min(1).max(128), date: TourDate }),
  sample: { tourId: 'tour-2027-eu', date: sampleTourDate },
});
