import ical, { ICalEventStatus } from 'ical-generator';
import { Temporal } from 'temporal-polyfill';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import { nameHash } from './db/keys.ts';
import type { Show } from './events/tour-booked.ts';
import { showTime } from './tours.ts';

/**
 * Shows as iCalendar (RFC 5545), through ical-generator. Each show's times are written in its
 * venue's zone (`DTSTART;TZID=Europe/Berlin:...`) with that zone's `VTIMEZONE` block from
 * timezones-ical-library (IANA data), so a calendar shows the venue's local time and the right
 * instant, across a DST change too. A zone that library does not know is written in UTC, which
 * RFC 5545 allows without a VTIMEZONE. The local times are also spelled out in the description.
 */

export interface IcsShow {
  labelId: string;
  tourId: string;
  artist: string;
  show: Show;
  /** Grows with each change of the show (RFC 5545 SEQUENCE), so a calendar takes an update over the copy it has. */
  sequence?: number;
}

/** The zone's VTIMEZONE block, or undefined when the library has none for exactly this zone id. */
function vtimezone(timeZone: string): string | undefined {
  const block = tzlib_get_ical_block(timeZone);
  return Array.isArray(block) && block[0]?.includes(`TZID:${timeZone}\r\n`) ? block[0] : undefined;
}

/** A show's time as the Temporal object ical-generator writes in the venue's zone. */
const showZoned = (show: Show, time: string): Temporal.ZonedDateTime =>
  Temporal.Instant.fromEpochMilliseconds(showTime(show, time).epochMs).toZonedDateTimeISO(
    show.venue.timeZone,
  );

function eventOf(item: IcsShow) {
  const { show } = item;
  const times = show.times ?? {};
  const start = showZoned(show, times.doors ?? times.set ?? times.soundcheck ?? '20:00');
  const curfew = times.curfew ? showZoned(show, times.curfew) : undefined;
  const end = curfew && curfew.epochMilliseconds > start.epochMilliseconds ? curfew : start.add({ hours: 4 });
  const inZone = vtimezone(show.venue.timeZone) !== undefined;
  const at = (time: Temporal.ZonedDateTime) =>
    (inZone ? time : new Date(time.epochMilliseconds)) as unknown as Date;
  const local = Object.entries(times)
    .filter(([, time]) => time)
    .map(([name, time]) => `${name} ${time}`)
    .join(', ');
  return {
    id: `${nameHash([item.labelId, item.tourId, show.showId], 32)}@backline`,
    ...(item.sequence !== undefined ? { sequence: item.sequence } : {}),
    start: at(start),
    end: at(end),
    ...(inZone ? { timezone: show.venue.timeZone } : {}),
    summary: `${item.artist} at ${show.venue.name}, ${show.venue.city}`,
    location: `${show.venue.name}, ${show.venue.address}, ${show.venue.city}, ${show.venue.country}`,
    description: `Local times (${show.venue.timeZone}): ${local || 'not given yet'}`,
    status: show.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  };
}

export function showsCalendar(name: string, shows: IcsShow[]): string {
  const calendar = ical({ name, prodId: { company: 'Backline', product: 'tours', language: 'EN' } });
  // No calendar-wide zone (DTSTAMP stays UTC): the generator writes one VTIMEZONE per zone the events use.
  calendar.timezone({ name: null, generator: (timeZone) => vtimezone(timeZone) ?? null });
  for (const item of shows) calendar.createEvent(eventOf(item));
  return calendar.toString();
}

/**
 * A show's calendar SEQUENCE (RFC 5545) from the label's time of its last change: seconds since 2020,
 * so each change outranks the copy a calendar has (same UID), and a replay writes the same number.
 */
export const calendarSequence = (occurredAt: string): number =>
  Math.max(0, Math.floor((Date.parse(occurredAt) - Date.UTC(2020, 0, 1)) / 1000));

export const icsContentType = 'text/calendar; charset=utf-8';
