import ical, { ICalEventStatus } from 'ical-generator';
import { nameHash } from './db/keys.ts';
import type { Show } from './events/tour-booked.ts';
import { showInstant } from './tours.ts';

/**
 * Shows as iCalendar (RFC 5545), through ical-generator. Times are written in UTC (`...Z`), which
 * RFC 5545 allows without a VTIMEZONE and every calendar shows in its reader's zone; the venue's
 * local times and zone are spelled out in the description, as the day sheet states them.
 */

export interface IcsShow {
  labelId: string;
  tourId: string;
  artist: string;
  show: Show;
}

const hours = (iso: string, count: number) => new Date(new Date(iso).getTime() + count * 3_600_000);

function eventOf(item: IcsShow) {
  const { show } = item;
  const times = show.times ?? {};
  const startTime = times.doors ?? times.set ?? times.soundcheck ?? '20:00';
  const start = showInstant(show, startTime);
  const curfew = times.curfew ? showInstant(show, times.curfew) : undefined;
  const end = curfew && curfew > start ? new Date(curfew) : hours(start, 4);
  const local = Object.entries(times)
    .filter(([, time]) => time)
    .map(([name, time]) => `${name} ${time}`)
    .join(', ');
  return {
    id: `${nameHash([item.labelId, item.tourId, show.showId], 32)}@backline`,
    start: new Date(start),
    end,
    summary: `${item.artist} at ${show.venue.name}, ${show.venue.city}`,
    location: `${show.venue.name}, ${show.venue.address}, ${show.venue.city}, ${show.venue.country}`,
    description: `Local times (${show.venue.timeZone}): ${local || 'not given yet'}`,
    status: show.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  };
}

export function showsCalendar(name: string, shows: IcsShow[]): string {
  const calendar = ical({ name, prodId: { company: 'Backline', product: 'tours', language: 'EN' } });
  for (const item of shows) calendar.createEvent(eventOf(item));
  return calendar.toString();
}

export const icsContentType = 'text/calendar; charset=utf-8';
