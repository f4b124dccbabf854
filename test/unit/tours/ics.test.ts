import { describe, expect, it } from 'vitest';
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

const venue = (city: string, timeZone: string, country: string) => ({
  name: `${city} Hall`,
  address: '1 Main Street',
  city,
  country,
  timeZone,
});

describe('show calendars', () => {
  it("writes each show in its venue's zone with a VTIMEZONE, read back at the right local and absolute times", () => {
    const shows = [
      aShow({ showId: 'berlin', date: '2027-03-28', venue: venue('Berlin', 'Europe/Berlin', 'DE') }),
      aShow({ showId: 'new-york', date: '2027-03-15', venue: venue('New York', 'America/New_York', 'US') }),
      aShow({ showId: 'tokyo', date: '2027-04-02', venue: venue('Tokyo', 'Asia/Tokyo', 'JP') }),
    ];

    const text = showsCalendar(
      'Tour',
      shows.map((show) => ({ labelId: 'lbl-1', tourId: 'tour-1', artist: 'Echoes', show })),
    );

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

    const [event] = readBack(
      showsCalendar('Tour', [{ labelId: 'lbl-1', tourId: 'tour-1', artist: 'Echoes', show }]),
    );

    expect(event).toEqual({
      zone: 'Europe/Berlin',
      localStart: '2027-10-30T22:00:00',
      localEnd: '2027-10-31T04:00:00',
      start: '2027-10-30T20:00:00.000Z',
      end: '2027-10-31T03:00:00.000Z',
    });
  });
});
