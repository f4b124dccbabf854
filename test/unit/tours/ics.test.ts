import { describe, expect, it } from 'vitest';
import { pressMail } from '#functions/tours/press.ts';
import { wallTimeIn } from '#shared/calendar.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import { showsCalendar } from '#shared/ics.ts';
import { readCalendar } from '#test/support/calendar.ts';
import { aShow } from '#test/support/tours.ts';

const readBack = (text: string) =>
  readCalendar(text).map(({ zone, localStart, localEnd, start, end }) => ({
    zone,
    localStart,
    localEnd,
    start,
    end,
  }));

/** The label's time of the shows' last change (their calendar SEQUENCE). */
const occurredAt = '2027-01-01T00:00:00.000Z';

/** The calendar `name` of the Echoes' `shows` (tour-1), as the tour manager's page and the press carry it. */
const calendarOf = (shows: Show[], name = 'Tour') =>
  showsCalendar(
    name,
    shows.map((show) => ({ labelId: 'lbl-1', tourId: 'tour-1', artist: 'Echoes', show, occurredAt })),
    occurredAt,
  );

/** The calendar a German outlet's press mail of `kind` carries, of `show` on the tour of `artist`. */
const pressCalendar = (kind: 'announcement' | 'cancellation', show: Show, artist = 'The Midnight Echoes') => {
  const tour = {
    labelId: 'lbl-1',
    tourId: 'tour-1',
    artist: { name: artist },
    tourManager: { name: 'Sam', email: 'sam@tm.example' },
    occurredAt,
  };
  const mail = pressMail(
    tour,
    { id: 'out-1', name: 'Radio Eins', email: 'news@radioeins.example' },
    'DE',
    kind,
    [{ show, occurredAt }],
    [{ show, occurredAt }],
    { now: occurredAt },
  );
  const [calendar] = mail.attachments ?? [];
  return calendar;
};

const venue = (city: string, timeZone: string, country: string) => ({
  name: `${city} Hall`,
  address: '1 Main Street',
  city,
  country,
  timeZone,
});

describe('show calendars', () => {
  it('names the same method in the press calendar as in its Content-Type: METHOD:PUBLISH with method=PUBLISH', () => {
    const show = aShow({ status: 'announced' });

    const calendar = pressCalendar('announcement', show);

    expect(calendar.contentType.match(/;\s*method=([A-Z]+)/)?.[1]).toBe('PUBLISH');
    expect(String(calendar.content).match(/^METHOD:(.*)\r$/m)?.[1]).toBe('PUBLISH');
  });

  it("names the address the mail is sent from as ORGANIZER of every event, as RFC 5546 asks of PUBLISH (3.2.1) and CANCEL (3.2.5): the press mail, a cancellation, the office's calendar", () => {
    const show = aShow({ status: 'announced' });

    const calendars = [
      String(pressCalendar('announcement', show).content),
      String(pressCalendar('cancellation', { ...show, status: 'cancelled' }).content),
      calendarOf([show, aShow({ showId: 'held', date: '2027-06-01', status: 'hold' })]),
    ];

    expect(calendars.flatMap((text) => readCalendar(text).map((event) => event.organizer))).toEqual(
      Array(4).fill(`mailto:${process.env.SENDER_ADDRESS}`),
    );
  });

  it("names the press calendar's file after the artist as written, whatever its script, never a name of dashes", () => {
    const show = aShow({ status: 'announced' });
    const fileNameFor = (artist: string) => pressCalendar('announcement', show, artist).fileName;

    const names = ['Sigur Rós', '坂本龍一', 'MØ', 'The 🌙 Echoes', '!!!', 'AC/DC'].map(fileNameFor);

    expect(names).toEqual([
      'Sigur-Rós-shows.ics',
      '坂本龍一-shows.ics',
      'MØ-shows.ics',
      'The-Echoes-shows.ics',
      'shows.ics',
      'AC-DC-shows.ics',
    ]);
  });

  it("writes each show in its venue's zone with a VTIMEZONE, read back at the right local and absolute times", () => {
    const shows = [
      aShow({ showId: 'berlin', date: '2027-03-28', venue: venue('Berlin', 'Europe/Berlin', 'DE') }),
      aShow({ showId: 'new-york', date: '2027-03-15', venue: venue('New York', 'America/New_York', 'US') }),
      aShow({ showId: 'tokyo', date: '2027-04-02', venue: venue('Tokyo', 'Asia/Tokyo', 'JP') }),
    ];

    const text = calendarOf(shows);

    expect(
      text
        .match(/^TZID:.*$/gm)
        ?.map((line) => line.trim())
        .sort(),
    ).toEqual(['TZID:America/New_York', 'TZID:Asia/Tokyo', 'TZID:Europe/Berlin']);
    expect(text).toContain('DTSTART;TZID=Europe/Berlin:20270328T190000');
    expect(text).toMatch(/^DTSTAMP:\d{8}T\d{6}Z\r?$/m);
    expect(readBack(text)).toEqual([
      // Berlin changed to summer time that morning: 19:00 is 17:00 UTC.
      {
        zone: 'Europe/Berlin',
        localStart: '2027-03-28T19:00:00',
        localEnd: '2027-03-28T23:00:00',
        start: '2027-03-28T17:00:00.000Z',
        end: '2027-03-28T21:00:00.000Z',
      },
      // New York is on summer time from 14 March: 19:00 EDT is 23:00 UTC.
      {
        zone: 'America/New_York',
        localStart: '2027-03-15T19:00:00',
        localEnd: '2027-03-15T23:00:00',
        start: '2027-03-15T23:00:00.000Z',
        end: '2027-03-16T03:00:00.000Z',
      },
      {
        zone: 'Asia/Tokyo',
        localStart: '2027-04-02T19:00:00',
        localEnd: '2027-04-02T23:00:00',
        start: '2027-04-02T10:00:00.000Z',
        end: '2027-04-02T14:00:00.000Z',
      },
    ]);
  });

  it('keeps a show that runs across the night the clocks go back at its local times and its true length', () => {
    // Berlin leaves summer time at 03:00 on 31 October 2027: doors 22:00 CEST, curfew 04:00 CET.
    const show = aShow({
      date: '2027-10-30',
      times: { doors: '22:00', set: '23:30', curfew: '04:00' },
    });

    const [event] = readBack(calendarOf([show]));

    expect(event).toEqual({
      zone: 'Europe/Berlin',
      localStart: '2027-10-30T22:00:00',
      localEnd: '2027-10-31T04:00:00',
      start: '2027-10-30T20:00:00.000Z',
      end: '2027-10-31T03:00:00.000Z',
    });
  });

  it('writes the end of a show in the hour the clocks repeat so that it reads as its instant, not as the first of the two', () => {
    // Berlin goes back from 03:00 CEST to 02:00 CET on 31 October 2027: 02:00 to 03:00 comes twice.
    // Doors 22:00, set 02:30 (its first: 00:30 UTC), no curfew: it ends an hour on, 01:30 UTC, 02:30 CET.
    const show = aShow({ date: '2027-10-30', times: { doors: '22:00', set: '02:30' } });

    const text = calendarOf([show]);

    // RFC 5545 3.3.5: a local time that occurs twice is its first occurrence (Temporal's 'compatible').
    const dtend = text.match(/^DTEND(;TZID=([^:]+))?:(\d{8}T\d{6}Z?)\r$/m);
    const [, , zone, value = ''] = dtend ?? [];
    const wall = value.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z?$/, '$1-$2-$3T$4:$5:$6');
    const end = zone
      ? new Date(wallTimeIn(wall.slice(0, 10), wall.slice(11), zone).epochMs).toISOString()
      : new Date(`${wall}Z`).toISOString();
    expect(end).toBe('2027-10-31T01:30:00.000Z');
    expect(readBack(text)[0]?.end).toBe('2027-10-31T01:30:00.000Z');
  });

  it('ends an all-night show at its curfew the next morning after 06:00 (07:00+1), not four hours after its doors', () => {
    const show = aShow({ date: '2027-05-14', times: { doors: '22:00', set: '23:30', curfew: '07:00+1' } });

    const [event] = readBack(calendarOf([show]));

    expect(event).toEqual({
      zone: 'Europe/Berlin',
      localStart: '2027-05-14T22:00:00',
      localEnd: '2027-05-15T07:00:00',
      start: '2027-05-14T20:00:00.000Z',
      end: '2027-05-15T05:00:00.000Z',
    });
  });

  it('ends a show with no curfew after its set, not at midnight before a set at 00:15', () => {
    const show = aShow({ date: '2027-04-12', times: { doors: '20:00', set: '00:15' } });

    const [event] = readBack(
      showsCalendar(
        'Tour',
        [{ labelId: 'lbl-1', tourId: 'tour-1', artist: 'Echoes', show, occurredAt }],
        occurredAt,
      ),
    );

    // Four hours from doors would end it at 00:00, before the set; the set is given an hour.
    expect(event).toEqual({
      zone: 'Europe/Berlin',
      localStart: '2027-04-12T20:00:00',
      localEnd: '2027-04-13T01:15:00',
      start: '2027-04-12T18:00:00.000Z',
      end: '2027-04-12T23:15:00.000Z',
    });
  });

  it('writes a show in a zone the IANA data links to another (Amsterdam, Stockholm, Kolkata) in that zone, with its VTIMEZONE', () => {
    const shows = [
      aShow({ showId: 'ams', date: '2027-10-30', venue: venue('Amsterdam', 'Europe/Amsterdam', 'NL') }),
      aShow({ showId: 'sto', date: '2027-03-27', venue: venue('Stockholm', 'Europe/Stockholm', 'SE') }),
      aShow({ showId: 'ccu', date: '2027-01-15', venue: venue('Kolkata', 'Asia/Calcutta', 'IN') }),
    ];

    const text = calendarOf(shows);

    expect(text).toContain('DTSTART;TZID=Europe/Amsterdam:20271030T190000');
    expect(readBack(text).map(({ zone, localStart, start }) => ({ zone, localStart, start }))).toEqual([
      { zone: 'Europe/Amsterdam', localStart: '2027-10-30T19:00:00', start: '2027-10-30T17:00:00.000Z' },
      { zone: 'Europe/Stockholm', localStart: '2027-03-27T19:00:00', start: '2027-03-27T18:00:00.000Z' },
      // India is 5:30 ahead of UTC all year.
      { zone: 'Asia/Calcutta', localStart: '2027-01-15T19:00:00', start: '2027-01-15T13:30:00.000Z' },
    ]);
  });

  it('follows a half-hour DST change (Lord Howe Island leaves +11:00 for +10:30 at 02:00 on 4 April 2027)', () => {
    const show = aShow({
      date: '2027-04-03',
      times: { doors: '22:00', curfew: '03:00' },
      venue: venue('Lord Howe Island', 'Australia/Lord_Howe', 'AU'),
    });

    const [event] = readBack(calendarOf([show]));

    expect(event).toEqual({
      zone: 'Australia/Lord_Howe',
      localStart: '2027-04-03T22:00:00',
      localEnd: '2027-04-04T03:00:00',
      start: '2027-04-03T11:00:00.000Z',
      end: '2027-04-03T16:30:00.000Z',
    });
  });

  it('states a zone that keeps one offset all year now, whatever it did before (Istanbul since 2016, Tokyo, Phoenix, Brisbane), as standard time at that offset', () => {
    const zones = [
      ['Istanbul', 'Europe/Istanbul', 'TR'],
      ['Tokyo', 'Asia/Tokyo', 'JP'],
      ['Phoenix', 'America/Phoenix', 'US'],
      ['Brisbane', 'Australia/Brisbane', 'AU'],
    ] as const;
    const shows = zones.map(([city, zone, country], i) =>
      aShow({ showId: `show-${i}`, date: '2027-07-10', venue: venue(city, zone, country) }),
    );

    const text = calendarOf(shows);

    // Each zone's VTIMEZONE: its observances, as kind and the offset each sets.
    const observances = Object.fromEntries(
      [...text.matchAll(/BEGIN:VTIMEZONE\r\nTZID:([^\r]+)\r\n([\s\S]*?)END:VTIMEZONE/g)].map(
        ([, zone, body]) => [
          zone,
          [...body.matchAll(/BEGIN:(STANDARD|DAYLIGHT)[\s\S]*?TZOFFSETTO:([^\r]+)/g)].map(
            ([, kind, to]) => `${kind} ${to}`,
          ),
        ],
      ),
    );
    expect(observances).toEqual({
      'Europe/Istanbul': ['STANDARD +0300'],
      'Asia/Tokyo': ['STANDARD +0900'],
      'America/Phoenix': ['STANDARD -0700'],
      'Australia/Brisbane': ['STANDARD +1000'],
    });
    expect(readBack(text).map(({ zone, start }) => ({ zone, start }))).toEqual([
      { zone: 'Europe/Istanbul', start: '2027-07-10T16:00:00.000Z' },
      { zone: 'Asia/Tokyo', start: '2027-07-10T10:00:00.000Z' },
      { zone: 'America/Phoenix', start: '2027-07-11T02:00:00.000Z' },
      { zone: 'Australia/Brisbane', start: '2027-07-10T09:00:00.000Z' },
    ]);
  });

  it("marks a show on hold as tentative in the tour manager's calendar, not as confirmed, and a cancelled one as cancelled", () => {
    const shows = [
      aShow({ showId: 'held', date: '2027-06-01', status: 'hold' }),
      aShow({ showId: 'on', date: '2027-06-02', status: 'on-sale' }),
      aShow({ showId: 'off', date: '2027-06-03', status: 'cancelled' }),
    ];

    const events = readCalendar(calendarOf(shows));

    expect(events.map((event) => event.status)).toEqual(['TENTATIVE', 'CONFIRMED', 'CANCELLED']);
  });

  it('escapes and folds text (commas, semicolons, line breaks, letters of several octets) so that it reads back as written', () => {
    const name = 'Große Halle; Zürich, "Süd" 東京ドーム '.repeat(4).trim();
    const show = aShow({ venue: { ...venue('Zürich', 'Europe/Zurich', 'CH'), name } });

    const text = calendarOf([show], 'Tour\nnotes');

    const octets = text.split('\r\n').map((line) => new TextEncoder().encode(line).length);
    expect(Math.max(...octets)).toBeLessThanOrEqual(75);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(readCalendar(text)[0]?.summary).toBe(`Echoes at ${name}, Zürich`);
  });
  it('writes a control character in a value (a lone CR, a NUL) as no line break of its own: every line ends CRLF and holds none', () => {
    const name = 'Hall\rATTENDEE:mailto:x@evil.example\u0000\u0007 East\r\nWing';
    const show = aShow({ venue: { ...venue('Zürich', 'Europe/Zurich', 'CH'), name } });

    const text = calendarOf([show], 'Tour\rMETHOD:REQUEST');

    // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is checked
    expect(text.split('\r\n').filter((line) => /[\u0000-\u0008\u000a-\u001f\u007f]/.test(line))).toEqual([]);
    expect(readCalendar(text)[0]?.summary).toBe(
      'Echoes at Hall\nATTENDEE:mailto:x@evil.example  East\nWing, Zürich',
    );
  });
  it('states a set and curfew after midnight in the description as the day sheet does ("07:00 (after midnight)"), not as stored ("07:00+1")', () => {
    const show = aShow({ times: { doors: '22:00', set: '00:30', curfew: '07:00+1' } });

    const text = calendarOf([show]);

    expect(readCalendar(text)[0]?.description).toBe(
      'Local times (Europe/Berlin): Doors 22:00, Set 00:30 (after midnight), Curfew 07:00 (after midnight)',
    );
  });
  it("lists a show's local times in the order of its day, named as the day sheet names them, whatever order the stored times come in", () => {
    // As read back from the table: a map's keys come in no set order.
    const times = { soundcheck: '16:30', doors: '19:00', set: '00:30', curfew: '01:30', loadIn: '14:00' };
    const show = aShow({ times });

    const text = calendarOf([show]);

    expect(readCalendar(text)[0]?.description).toBe(
      'Local times (Europe/Berlin): Load-in 14:00, Soundcheck 16:30, Doors 19:00, Set 00:30 (after midnight), Curfew 01:30 (after midnight)',
    );
  });
});
