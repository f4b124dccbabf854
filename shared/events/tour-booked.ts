import * as z from 'zod';
import { defineEvent } from './envelope.ts';
import { Country, Email, IsoDate, LocalTime, TimeZone } from './fields.ts';

/** Someone Backline works with on a tour: a tour manager, a promoter, a crew member. */
export const Contact = z.object({
  name: z.string().trim().min(1).max(200),
  email: Email,
  phone: z.string().trim().min(3).max(40).optional(),
});
export type Contact = z.infer<typeof Contact>;

export const Venue = z.object({
  name: z.string().trim().min(1).max(200),
  address: z.string().trim().min(1).max(500),
  city: z.string().trim().min(1).max(200),
  country: Country,
  timeZone: TimeZone,
  capacity: z.number().int().positive().optional(),
});
export type Venue = z.infer<typeof Venue>;

/**
 * A show day's times, in the venue's local time. A set (or curfew) after midnight belongs to the
 * show day before it: `set: "00:30"` on a show dated the 14th is played in the night to the 15th.
 */
export const ShowTimes = z.object({
  loadIn: LocalTime.optional(),
  soundcheck: LocalTime.optional(),
  doors: LocalTime.optional(),
  set: LocalTime.optional(),
  curfew: LocalTime.optional(),
});
export type ShowTimes = z.infer<typeof ShowTimes>;

export const ShowStatus = z.enum(['hold', 'confirmed', 'announced', 'on-sale', 'cancelled', 'settled']);
export type ShowStatus = z.infer<typeof ShowStatus>;

const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');

/** The deal with the promoter: amounts in integer minor units of `currency`, never floats. */
export const Deal = z.object({
  type: z.enum(['flat', 'versus', 'door']),
  guarantee: z.number().int('must be an integer amount of minor units').min(0).optional(),
  /** The artist's share of the door (or of the net, for a versus deal), in percent. */
  percentage: z.number().min(0).max(100).optional(),
  currency: Currency,
});

export const Show = z.object({
  showId: z.string().min(1).max(128),
  /** The show day, in the venue's calendar. */
  date: IsoDate,
  venue: Venue,
  times: ShowTimes.default({}),
  promoter: Contact,
  status: ShowStatus,
  /** Embargo: no press about this show before this instant. */
  announceAt: z.iso
    .datetime({ offset: true })
    // In UTC, so that it orders as a string against other instants.
    .transform((value) => new Date(value).toISOString())
    .optional(),
  /** When the guest list closes and is mailed to the promoter, on show day; 17:00 when absent. */
  guestListCutoff: LocalTime.optional(),
  deal: Deal.optional(),
});
export type Show = z.infer<typeof Show>;

export const sampleShow: z.input<typeof Show> = {
  showId: 'show-berlin-1',
  date: '2027-05-14',
  venue: {
    name: 'Columbiahalle',
    address: 'Columbiadamm 13-21',
    city: 'Berlin',
    country: 'DE',
    timeZone: 'Europe/Berlin',
    capacity: 3500,
  },
  times: { loadIn: '14:00', soundcheck: '16:30', doors: '19:00', set: '21:00', curfew: '23:00' },
  promoter: { name: 'Nachtkonzerte GmbH', email: 'booking@nachtkonzerte.example', phone: '+49 30 1234567' },
  status: 'confirmed',
  announceAt: '2027-02-01T09:00:00Z',
  deal: { type: 'versus', guarantee: 500000, percentage: 80, currency: 'EUR' },
};

export const TourBooked = defineEvent({
  detailType: 'Tour Booked',
  source: 'backline.intake',
  schemaVersion: 2,
  description:
    'A tour was booked with its shows, promoters and tour manager (version 1 bodies, with `dates`, are upgraded at intake).',
  data: z.object({
    tourId: z.string().min(1).max(128),
    artist: z.object({ name: z.string().trim().min(1).max(200) }),
    genres: z.array(z.string().trim().min(1).max(60)).optional(),
    tourManager: Contact,
    /** Who else gets the day sheet. */
    crew: z.array(Contact).max(50).optional(),
    /** The tour's currency (ISO 4217), for its budget; each deal names its own. */
    currency: Currency.optional(),
    shows: z.array(Show).min(1).max(200),
  }),
  sample: {
    tourId: 'tour-2027-eu',
    artist: { name: 'The Midnight Echoes' },
    genres: ['synthpop'],
    tourManager: { name: 'Sam Reyes', email: 'sam@tm.example', phone: '+44 20 7946 0000' },
    crew: [{ name: 'Jo Kim', email: 'jo@crew.example' }],
    currency: 'EUR',
    shows: [sampleShow],
  },
});
