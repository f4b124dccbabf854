import { countryZone, countryZones } from '../country-zones.ts';
import * as z from '../zod.ts';
import { Country, Email, Id, IsoDate, Name } from './fields.ts';
import { olderVersion } from './older-version.ts';
import type { Show } from './tour-booked.ts';

/**
 * Version 1 of `tour.booked` (a list of `dates`, each a venue name and a city) and its date webhooks
 * `tour.date.added` / `tour.date.cancelled`, still accepted and upgraded at intake, so a replay of an
 * old webhook upgrades too (see docs/design.md#tours).
 */
export const TourDateV1 = z.lazy(() =>
  z
    .object({
      dateId: Id,
      date: IsoDate,
      city: Name,
      country: Country,
      venue: Name,
      promoter: z.object({ name: Name, email: Email }),
    })
    .check(
      z.refine((date) => zoneOf(date.country, date.city, date.date) !== undefined, {
        path: ['city'],
        error: (issue) =>
          `is the name of no time zone of ${(issue.input as { country: string }).country}, whose zones keep different times: send it as a version 2 show, with its venue.timeZone`,
      }),
    ),
);
export type TourDateV1 = z.infer<typeof TourDateV1>;

/**
 * A version 1 date knew no time zone: it takes the zone of its country (CLDR's, through
 * `Intl.Locale#getTimeZones`) whose city is the date's city, else the country's first zone when all
 * its zones keep one time on the date (Germany's Berlin and Busingen). Else which is the city's is not
 * known (Seattle's is not the United States' first, America/Adak, three hours behind): undefined, and
 * the date is refused.
 */
export function zoneOf(country: string, city: string, date: string): string | undefined {
  const zones = countryZones(country);
  const wanted = city.toLowerCase().replaceAll(' ', '_');
  const named = zones.find((zone) => zone.toLowerCase().endsWith(`/${wanted}`));
  if (named) return named;
  return zones.length === 0 ? 'UTC' : countryZone(country, date);
}

/** A version 1 date as a show: confirmed (v1 knew no holds), at a venue whose address is its city. */
export const showOfDate = (date: TourDateV1): z.input<typeof Show> => ({
  showId: date.dateId,
  date: date.date,
  venue: {
    name: date.venue,
    address: date.city,
    city: date.city,
    country: date.country,
    timeZone: zoneOf(date.country, date.city, date.date)!,
  },
  promoter: date.promoter,
  status: 'confirmed',
});

/** `tour.booked` version 1: its `dates` (version 2 has `shows`) become confirmed shows. */
export const TourBookedV1 = olderVersion({
  recognise: (data) => 'dates' in data && !('shows' in data),
  schema: z.lazy(() => z.looseObject({ dates: z.array(TourDateV1).check(z.minLength(1)) })),
  upgrade: ({ dates, ...tour }) => ({ ...tour, shows: dates.map(showOfDate) }),
});

/** `tour.date.added` as `tour.show.added`: `{tourId, date}` becomes `{tourId, show}`. */
export const TourDateAddedV1 = olderVersion({
  recognise: (data) => 'date' in data && !('show' in data),
  schema: z.looseObject({ date: TourDateV1 }),
  upgrade: ({ date, ...rest }) => ({ ...rest, show: showOfDate(date) }),
});

/** `tour.date.cancelled` as `tour.show.cancelled`: `{tourId, date}` becomes `{tourId, showId}`. */
export const TourDateCancelledV1 = olderVersion({
  recognise: (data) => 'date' in data && !('showId' in data),
  schema: z.looseObject({ date: z.looseObject({ dateId: Id }) }),
  upgrade: ({ date, ...rest }) => ({ ...rest, showId: date.dateId }),
});
