import * as z from 'zod';
import { Country, Email, IsoDate } from './fields.ts';
import type { Show } from './tour-booked.ts';

/**
 * Version 1 of `tour.booked` (a list of `dates`, each a venue name and a city) and its date webhooks
 * `tour.date.added` / `tour.date.cancelled`, still accepted and upgraded at intake, so a replay of an
 * old webhook upgrades too (see docs/design.md#tours).
 */
export const TourDateV1 = z.object({
  dateId: z.string().min(1).max(128),
  date: IsoDate,
  city: z.string().trim().min(1).max(200),
  country: Country,
  venue: z.string().trim().min(1).max(200),
  promoter: z.object({ name: z.string().trim().min(1).max(200), email: Email }),
});
export type TourDateV1 = z.infer<typeof TourDateV1>;

/**
 * A version 1 date knew no time zone: it takes the zone of its country (CLDR's, through
 * `Intl.Locale#getTimeZones`) whose city is the date's city, else the country's first zone.
 */
export function zoneOf(country: string, city: string): string {
  const zones =
    (new Intl.Locale(`und-${country}`) as Intl.Locale & { getTimeZones?: () => string[] }).getTimeZones?.() ??
    [];
  const wanted = city.toLowerCase().replaceAll(' ', '_');
  return zones.find((zone) => zone.toLowerCase().endsWith(`/${wanted}`)) ?? zones[0] ?? 'UTC';
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
    timeZone: zoneOf(date.country, date.city),
  },
  promoter: date.promoter,
  status: 'confirmed',
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A `tour.booked` body's data: version 1 is recognised by its `dates` (version 2 has `shows`). */
export function upgradeTourBooked(data: unknown): unknown {
  if (!isObject(data) || !('dates' in data) || 'shows' in data) return data;
  const { dates, ...tour } = data;
  const parsed = z.array(TourDateV1).min(1).safeParse(dates);
  // Left as it is, the version 2 schema names what is missing.
  if (!parsed.success) return data;
  return { ...tour, shows: parsed.data.map(showOfDate) };
}

/** `tour.date.added` as `tour.show.added`: `{tourId, date}` becomes `{tourId, show}`. */
export function upgradeDateAdded(data: unknown): unknown {
  if (!isObject(data) || !('date' in data) || 'show' in data) return data;
  const parsed = TourDateV1.safeParse(data.date);
  if (!parsed.success) return data;
  const { date: _date, ...rest } = data;
  return { ...rest, show: showOfDate(parsed.data) };
}

/** `tour.date.cancelled` as `tour.show.cancelled`: `{tourId, date}` becomes `{tourId, showId}`. */
export function upgradeDateCancelled(data: unknown): unknown {
  if (!isObject(data) || !isObject(data.date) || 'showId' in data) return data;
  const { date, ...rest } = data;
  return { ...rest, showId: date.dateId };
}
