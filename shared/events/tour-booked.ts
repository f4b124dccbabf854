import { addDays } from '../days.ts';
import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import {
  Country,
  Currency,
  Email,
  Genre,
  Id,
  IsoDate,
  LabelTimeZone,
  Line,
  LocalTime,
  Minor,
  Name,
  Text,
  UtcInstant,
} from './fields.ts';

/** Someone Backline works with on a tour: a tour manager, a promoter, a crew member. */
export const Contact = z.object({
  name: Name,
  email: Email,
  phone: z.optional(Line(40).check(z.minLength(3))),
});
export type Contact = z.infer<typeof Contact>;

export const Venue = z.object({
  name: Name,
  address: Text(500),
  city: Name,
  country: Country,
  timeZone: LabelTimeZone,
  capacity: z.optional(z.int().check(z.positive())),
});
export type Venue = z.infer<typeof Venue>;

/**
 * When a show's day ends at the venue, the next calendar day: a time before it (a set at 00:30) is after
 * midnight, and belongs to the day before.
 */
export const showDayEnds = '06:00';

/** The marker of a set or curfew the next morning from `showDayEnds` on (`07:00+1`: an all-night show's). */
const nextMorning = '+1';

/** A show time as the clock at the venue reads it (`HH:MM`), without a next-morning marker. */
export const clockTime = (time: string): string => time.slice(0, 5);

/** Whether a set or curfew is marked for the next morning (`07:00+1`): the show runs on past `showDayEnds`. */
export const isNextMorning = (time: string): boolean => time.endsWith(nextMorning);

/**
 * Whether a show time falls on the next calendar day: one after midnight (before `showDayEnds`), or one
 * marked for the next morning.
 */
export const isNextDay = (time: string): boolean => time < showDayEnds || isNextMorning(time);

/** The calendar day a show time falls on at the venue: the next for a time after midnight (`isNextDay`). */
export const showTimeDate = (showDate: string, time: string): string =>
  isNextDay(time) ? addDays(showDate, 1) : showDate;

/** A show time as the venue's date and clock read it (`2027-05-15T07:00`): such strings sort as the times do. */
export const showLocalDateTime = (showDate: string, time: string): string =>
  `${showTimeDate(showDate, time)}T${clockTime(time)}`;

/**
 * A set or curfew: `HH:MM`, or `HH:MM+1` for the next morning from 06:00 to 11:59 (an all-night show's
 * curfew at 07:00). A time before 06:00 is the next morning already, unmarked.
 */
const NightTime = z
  .string()
  .check(
    z.regex(
      /^(([01]\d|2[0-3]):[0-5]\d|(0[6-9]|1[01]):[0-5]\d\+1)$/,
      'must be HH:MM (24-hour), or HH:MM+1 from 06:00 to 11:59 for the next morning',
    ),
  );

/**
 * A show day's times, in the venue's local time. A set (or curfew) after midnight belongs to the
 * show day before it: `set: "00:30"` on a show dated the 14th is played in the night to the 15th, and
 * so is one marked for the next morning (`curfew: "07:00+1"`).
 */
export const ShowTimes = z.object({
  loadIn: z.optional(LocalTime),
  soundcheck: z.optional(LocalTime),
  doors: z.optional(LocalTime),
  set: z.optional(NightTime),
  curfew: z.optional(NightTime),
});
export type ShowTimes = z.infer<typeof ShowTimes>;

export const ShowStatus = z.enum(['hold', 'confirmed', 'announced', 'on-sale', 'cancelled', 'settled']);
export type ShowStatus = z.infer<typeof ShowStatus>;

/** The deal with the promoter: amounts in integer minor units of `currency` (ICU's), never floats. */
export const Deal = z.object({
  type: z.enum(['flat', 'versus', 'door']),
  // Its own message: a check without one would say Minor's, that the amount is no whole number.
  guarantee: z.optional(Minor.check(z.gte(0, 'must not be negative'))),
  /** The artist's share of the door (or of the net, for a versus deal), in percent. */
  percentage: z.optional(z.number().check(z.gte(0), z.lte(100))),
  currency: Currency,
});

export const Show = z.object({
  showId: Id,
  /** The show day, in the venue's calendar. */
  date: IsoDate,
  venue: Venue,
  times: z._default(ShowTimes, {}),
  promoter: Contact,
  status: ShowStatus,
  /** Embargo: no press about this show before this instant. */
  announceAt: z.optional(UtcInstant),
  /** When the guest list closes and is mailed to the promoter, on show day; 17:00 when absent. */
  guestListCutoff: z.optional(LocalTime),
  deal: z.optional(Deal),
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
  data: () =>
    z.object({
      tourId: Id,
      artist: z.object({ name: Name }),
      genres: z.optional(z.array(Genre)),
      tourManager: Contact,
      /** Who else gets the day sheet. */
      crew: z.optional(z.array(Contact).check(z.maxLength(50))),
      /** The tour's currency (ISO 4217), for its budget; each deal names its own. */
      currency: z.optional(Currency),
      // A show is stored under its id: a second show of one id would replace the first unsaid.
      shows: z.array(Show).check(
        z.minLength(1),
        z.maxLength(200),
        z.superRefine((shows, context) => {
          const seen = new Set<string>();
          shows.forEach((show, index) => {
            if (seen.has(show.showId))
              context.addIssue({ code: 'custom', path: [index, 'showId'], message: 'appears twice' });
            seen.add(show.showId);
          });
        }),
      ),
    }),
});
DOCS: describeEvent(TourBooked, {
  description:
    "A tour was booked with its shows, promoters and tour manager (version 1 bodies, with `dates`, are upgraded at intake; a city with no zone, in a country whose zones keep different times, none named for it, is refused: send version 2 with the venue's `timeZone`).",
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
