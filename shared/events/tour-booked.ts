import * as z from 'zod';
import { defineEvent } from './envelope.ts';
import { Country, Email, IsoDate } from './fields.ts';

export const TourDate = z.object({
  dateId: z.string().min(1).max(128),
  date: IsoDate,
  city: z.string().trim().min(1).max(200),
  country: Country,
  venue: z.string().trim().min(1).max(200),
  promoter: z.object({ name: z.string().trim().min(1).max(200), email: Email }),
});

export const sampleTourDate: z.input<typeof TourDate> = {
  dateId: 'td-berlin-1',
  date: '2027-05-14',
  city: 'Berlin',
  country: 'DE',
  venue: 'Columbiahalle',
  promoter: { name: 'Nachtkonzerte GmbH', email: 'booking@nachtkonzerte.example' },
};

export const TourBooked = defineEvent({
  detailType: 'Tour Booked',
  source: 'backline.intake',
  schemaVersion: 1,
  description: 'A tour was booked with its dates, promoters and tour manager.',
  data: z.object({
    tourId: z.string().min(1).max(128),
    artist: z.object({ name: z.string().trim().min(1).max(200) }),
    genres: z.array(z.string().trim().min(1).max(60)).optional(),
    tourManager: z.object({ name: z.string().trim().min(1).max(200), email: Email }),
    dates: z.array(TourDate).min(1),
  }),
  sample: {
    tourId: 'tour-2027-eu',
    artist: { name: 'The Midnight Echoes' },
    genres: ['synthpop'],
    tourManager: { name: 'Sam Reyes', email: 'sam@tm.example' },
    dates: [sampleTourDate],
  },
});
