import * as z from 'zod';
import { defineEvent } from './envelope.ts';
import { sampleTourDate, TourDate } from './tour-booked.ts';

export const TourDateAdded = defineEvent({
  detailType: 'Tour Date Added',
  source: 'backline.intake',
  schemaVersion: 1,
  description: 'A date was added to a booked tour.',
  data: z.object({ tourId: z.string().min(1).max(128), date: TourDate }),
  sample: { tourId: 'tour-2027-eu', date: { ...sampleTourDate, dateId: 'td-hamburg-1', city: 'Hamburg' } },
});
