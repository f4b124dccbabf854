import { type OffsetChange, offsetChanges, wallTimeAt, wallTimeIn } from './calendar.ts';
import { config } from './config.ts';
import { nameHash } from './db/keys.ts';
import type { Show } from './events/tour-booked.ts';
import { multiLine } from './mail/data.ts';
import { clockReading, showSpan, showTimeLabels } from './tours.ts';

/**
 * Shows as iCalendar (RFC 5545), written here: a calendar of events holds few properties, and a
 * generator library with a full Temporal beside it weighed 95 KB in each bundle that writes one
 * (see docs/design.md#bundles). Each show's times are written in its venue's zone
 * (`DTSTART;TZID=Europe/Berlin:...`) with a `VTIMEZONE` for that zone built from the same zone rules
 * that schedule the show's steps (Node's ICU data, through Temporal): each offset change the events
 * span, so a calendar shows the venue's local time and the right instant, across a DST change too.
 * The local times are also spelled out in the description.
 */

export interface IcsShow {
  labelId: string;
  tourId: string;
  artist: string;
  show: Show;
  /**
   * The label's time of the change that gave the show the details stated: its SEQUENCE derives from
   * it (`calendarSequence`), in every calendar of the show, mailed or downloaded.
   */
  occurredAt: string;
}

/**
 * A TEXT value (RFC 5545 3.3.11): backslashes, semicolons, commas and line breaks escaped; a lone CR
 * or another control character, which TEXT may not hold, never starts a line of its own (`multiLine`).
 */
const text = (value: string) =>
  multiLine(value)
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n');

const utf8 = new TextEncoder();

/** A content line folded at 75 octets (RFC 5545 3.1), never inside a character, ended by CRLF. */
function fold(line: string): string {
  const parts: string[] = [];
  let part = '';
  let octets = 0;
  for (const char of line) {
    const size = utf8.encode(char).length;
    // Continuation lines start with a space, which counts towards their 75.
    if (octets + size > 75) {
      parts.push(part);
      part = ' ';
      octets = 1;
    }
    part += char;
    octets += size;
  }
  parts.push(part);
  return `${parts.join('\r\n')}\r\n`;
}

/** `2027-03-28T19:00:00` as iCalendar's local DATE-TIME, `20270328T190000`. */
const localDateTime = (wallTime: string) => wallTime.replace(/[-:]/g, '');

const utcDateTime = (epochMs: number) =>
  `${new Date(epochMs).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;

/** A UTC offset as `+HHMM` (`+HHMMSS` when it has seconds). */
function utcOffset(seconds: number): string {
  const abs = Math.abs(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  const ss = abs % 60 ? pad(abs % 60) : '';
  return `${seconds < 0 ? '-' : '+'}${pad(Math.floor(abs / 3600))}${pad(Math.floor(abs / 60) % 60)}${ss}`;
}

/**
 * One observance: from its onset (written, as RFC 5545 asks, as the local time in the offset before
 * it: the instant plus that offset), the offset it sets. A change to a larger offset is daylight
 * time, the rest standard time; but an offset the zone keeps from then on (`lasting`: no change
 * follows it) is its standard time, whichever way it moved: Istanbul's move to +03 in 2016 was a
 * spring change that no autumn one undid, and a VTIMEZONE with only a DAYLIGHT observance leaves
 * calendar clients without the zone's standard time.
 */
function observance(change: OffsetChange, lasting = false): string[] {
  const kind = change.toSeconds > change.fromSeconds && !lasting ? 'DAYLIGHT' : 'STANDARD';
  return [
    `BEGIN:${kind}`,
    `DTSTART:${utcDateTime(change.epochMs + change.fromSeconds * 1000).slice(0, -1)}`,
    `TZOFFSETFROM:${utcOffset(change.fromSeconds)}`,
    `TZOFFSETTO:${utcOffset(change.toSeconds)}`,
    `END:${kind}`,
  ];
}

const yearMs = 366 * 24 * 3600_000;

/**
 * The zone's VTIMEZONE for events from `fromMs` to `toMs`: the offset in force a year before the
 * first (so a zone's standard and daylight times both appear) and each change from then to the last.
 */
function vtimezone(timeZone: string, fromMs: number, toMs: number): string[] {
  const { offsetSeconds, inForce, changes, changesAfter } = offsetChanges(timeZone, fromMs - yearMs, toMs);
  const first = inForce
    ? observance(inForce, changes.length === 0 && !changesAfter)
    : [
        'BEGIN:STANDARD',
        'DTSTART:19700101T000000',
        `TZOFFSETFROM:${utcOffset(offsetSeconds)}`,
        `TZOFFSETTO:${utcOffset(offsetSeconds)}`,
        'END:STANDARD',
      ];
  return [
    'BEGIN:VTIMEZONE',
    `TZID:${timeZone}`,
    ...first,
    ...changes.flatMap((change, i) => observance(change, i === changes.length - 1 && !changesAfter)),
    'END:VTIMEZONE',
  ];
}

interface Timed {
  item: IcsShow;
  startMs: number;
  endMs: number;
}

/** An event runs as the show does (`showSpan`), which is also when the show is over past 06:00 (`showOverAt`). */
const timed = (item: IcsShow): Timed => ({ item, ...showSpan(item.show) });

/**
 * RFC 5545 3.8.1.11: a hold is a date kept for the artist, not yet a show (the tour manager's
 * itinerary lists it), so it is tentative; a settled show took place as confirmed.
 */
const eventStatus: Record<Show['status'], 'TENTATIVE' | 'CONFIRMED' | 'CANCELLED'> = {
  hold: 'TENTATIVE',
  confirmed: 'CONFIRMED',
  announced: 'CONFIRMED',
  'on-sale': 'CONFIRMED',
  settled: 'CONFIRMED',
  cancelled: 'CANCELLED',
};

/**
 * An event's end in its zone, or in UTC where its wall time comes twice (the night the clocks go back)
 * and it is the second: RFC 5545 (3.3.5) reads such a local time as the first, an hour early. Its start,
 * a show time read as the first (`showTime`), never is.
 */
function dtend(endMs: number, zone: string): string {
  const wall = wallTimeAt(endMs, zone);
  return wallTimeIn(wall.slice(0, 10), wall.slice(11), zone).epochMs === endMs
    ? `DTEND;TZID=${zone}:${localDateTime(wall)}`
    : `DTEND:${utcDateTime(endMs)}`;
}

function vevent({ item, startMs, endMs }: Timed, stamp: string, organizer: string): string[] {
  const { show } = item;
  const zone = show.venue.timeZone;
  // In the order of the day, whatever order a stored show's times come back in, each as the day sheet states it.
  const local = showTimeLabels
    .flatMap(([key, label]) => (show.times?.[key] ? [`${label} ${clockReading(key, show.times[key])}`] : []))
    .join(', ');
  return [
    'BEGIN:VEVENT',
    `UID:${nameHash([item.labelId, item.tourId, show.showId], 32)}@backline`,
    `SEQUENCE:${calendarSequence(item.occurredAt)}`,
    `DTSTAMP:${stamp}`,
    organizer,
    `DTSTART;TZID=${zone}:${localDateTime(wallTimeAt(startMs, zone))}`,
    dtend(endMs, zone),
    `SUMMARY:${text(`${item.artist} at ${show.venue.name}, ${show.venue.city}`)}`,
    `LOCATION:${text(`${show.venue.name}, ${show.venue.address}, ${show.venue.city}, ${show.venue.country}`)}`,
    `DESCRIPTION:${text(`Local times (${zone}): ${local || 'not given yet'}`)}`,
    `STATUS:${eventStatus[show.status]}`,
    'END:VEVENT',
  ];
}

/**
 * The calendars are published to be copied (RFC 5546 PUBLISH: no replies). The method is stated in
 * the calendar (METHOD) and in its Content-Type's `method` parameter, which must name the same one
 * (RFC 5545 3.7.2, RFC 6047 2.4): both come from here.
 */
const calendarMethod = 'PUBLISH';

/** `now`: the instant the calendar is written (DTSTAMP), by its caller's clock, as ISO 8601. */
export function showsCalendar(name: string, shows: IcsShow[], now: string): string {
  const events = shows.map(timed);
  const spans = new Map<string, { fromMs: number; toMs: number }>();
  for (const { item, startMs, endMs } of events) {
    const zone = item.show.venue.timeZone;
    const span = spans.get(zone);
    spans.set(zone, {
      fromMs: Math.min(span?.fromMs ?? startMs, startMs),
      toMs: Math.max(span?.toMs ?? endMs, endMs),
    });
  }
  const stamp = utcDateTime(Date.parse(now));
  // RFC 5546 requires an ORGANIZER on a published event (3.2.1, PUBLISH), as on a cancelled one (3.2.5,
  // CANCEL; Backline publishes a cancelled show with STATUS:CANCELLED): Outlook refuses or misshows one
  // without. The address the mail is sent from, without a CN: no one's name is configured beside it.
  const organizer = `ORGANIZER:mailto:${config().SENDER_ADDRESS}`;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Backline//tours//EN',
    `METHOD:${calendarMethod}`,
    `NAME:${text(name)}`,
    `X-WR-CALNAME:${text(name)}`,
    ...[...spans].flatMap(([zone, { fromMs, toMs }]) => vtimezone(zone, fromMs, toMs)),
    ...events.flatMap((event) => vevent(event, stamp, organizer)),
    'END:VCALENDAR',
  ];
  return lines.map(fold).join('');
}

/**
 * A show's calendar SEQUENCE (RFC 5545) from the label's time of its last change: seconds since 2020,
 * so each change outranks the copy a calendar has (same UID), and a replay writes the same number.
 * Every calendar states a show at this number (an announcement too: an outlet may hold a later copy
 * from a change or "moved" mail, and a calendar ignores a lower SEQUENCE).
 */
export const calendarSequence = (occurredAt: string): number =>
  Math.max(0, Math.floor((Date.parse(occurredAt) - Date.UTC(2020, 0, 1)) / 1000));

/** The Content-Type of every calendar `showsCalendar` writes, mailed or downloaded. */
export const icsContentType = `text/calendar; charset=utf-8; method=${calendarMethod}`;
