import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { countryZones } from '#shared/country-zones.ts';
import { type ErnDetails, parseErn } from '#shared/ern.ts';
import { ernWebhookBody } from '#shared/webhooks.ts';
import { ernBase, ernIssues, ernMessage } from '#test/support/ern.ts';

/**
 * docs/design.md#ddex-ern: a deal's start naming no zone is local to each territory of the deal, as DDEX
 * reads it: a StartDate is midnight there, a StartDateTime without an offset that wall time there. In a
 * country whose zones keep several times that day it is the zone where that wall time comes last, so no
 * outlet there is told "out now" before the release is out where it is; Worldwide keeps UTC.
 */

/** The single's two deals, in `territories` (DDEX codes), starting as `start` (a ValidityPeriod's content). */
const single = (territories: string[], start: string, values: Partial<typeof ernBase> = {}) =>
  ernMessage('single', { ...ernBase, ...values, date: '2027-06-04' }).replaceAll(
    /<TerritoryCode>GB<\/TerritoryCode>\s*<TerritoryCode>IE<\/TerritoryCode>\s*<ValidityPeriod>.*?<\/ValidityPeriod>/g,
    `${territories.map((code) => `<TerritoryCode>${code}</TerritoryCode>`).join('')}<ValidityPeriod>${start}</ValidityPeriod>`,
  );
const detailsOf = (xml: string): ErnDetails => {
  const parsed = parseErn(xml);
  if (!parsed.ok) throw parsed.error;
  return parsed.release.details!;
};
type Moment = Pick<ErnDetails, 'releaseDate' | 'releaseTime' | 'timeZone'>;
const momentOf = ({ releaseDate, releaseTime, timeZone }: Moment): Moment => ({
  releaseDate,
  releaseTime,
  timeZone,
});
/** The instant a street date, time and zone stand for, as releases reads them (Temporal's). */
const instantOf = ({ releaseDate, releaseTime, timeZone }: Moment) =>
  Temporal.PlainDateTime.from(`${releaseDate}T${releaseTime}`)
    .toZonedDateTime(timeZone)
    .toInstant()
    .toString();

describe('an ERN deal whose start names no zone', () => {
  it('starts a GB deal’s StartDate at midnight in London: in summer, 23:00 UTC the day before', () => {
    const details = detailsOf(single(['GB'], '<StartDate>2027-06-04</StartDate>'));

    expect(momentOf(details)).toEqual({
      releaseDate: '2027-06-04',
      releaseTime: '00:00',
      timeZone: 'Europe/London',
    });
    expect(instantOf(details)).toBe('2027-06-03T23:00:00Z');
  });

  it('starts a JP deal’s StartDate at midnight in Tokyo, nine hours before midnight UTC', () => {
    const details = detailsOf(single(['JP'], '<StartDate>2027-06-04</StartDate>'));

    expect(momentOf(details)).toEqual({
      releaseDate: '2027-06-04',
      releaseTime: '00:00',
      timeZone: 'Asia/Tokyo',
    });
    expect(instantOf(details)).toBe('2027-06-03T15:00:00Z');
  });

  it('starts a US deal at the midnight that comes last among the US zones, so no US outlet hears early', () => {
    const details = detailsOf(single(['US'], '<StartDate>2027-06-04</StartDate>'));

    const midnights = countryZones('US').map((timeZone) =>
      instantOf({ releaseDate: '2027-06-04', releaseTime: '00:00', timeZone }),
    );
    expect(momentOf(details)).toEqual({
      releaseDate: '2027-06-04',
      releaseTime: '00:00',
      timeZone: 'Pacific/Honolulu',
    });
    expect(instantOf(details)).toBe('2027-06-04T10:00:00Z');
    expect(midnights.every((midnight) => midnight <= instantOf(details))).toBe(true);
  });

  it('keeps a Worldwide deal at midnight UTC: one moment stands for every country', () => {
    const details = detailsOf(single(['Worldwide'], '<StartDate>2027-06-04</StartDate>'));

    expect(momentOf(details)).toEqual({ releaseDate: '2027-06-04', releaseTime: '00:00', timeZone: 'UTC' });
    expect(details.territories).toEqual(['WW']);
  });

  it('reads a StartDateTime without an offset as that wall time in the territory, and one with an offset as the instant it names', () => {
    const local = detailsOf(single(['JP'], '<StartDateTime>2027-06-04T09:30:00</StartDateTime>'));
    const offset = detailsOf(single(['JP'], '<StartDateTime>2027-06-04T09:30:00Z</StartDateTime>'));

    expect(momentOf(local)).toEqual({
      releaseDate: '2027-06-04',
      releaseTime: '09:30',
      timeZone: 'Asia/Tokyo',
    });
    expect(instantOf(offset)).toBe('2027-06-04T09:30:00Z');
  });

  it('reads a StartDate naming its zone as midnight at that zone, as the instant it names', () => {
    const details = detailsOf(single(['GB'], '<StartDate>2027-06-04+09:00</StartDate>'));

    expect(momentOf(details)).toEqual({ releaseDate: '2027-06-03', releaseTime: '15:00', timeZone: 'UTC' });
  });

  it('gives territories on the same date in different zones an entry each, the earliest instant first', () => {
    const details = detailsOf(single(['GB', 'JP'], '<StartDate>2027-06-04</StartDate>'));

    expect(momentOf(details)).toEqual({
      releaseDate: '2027-06-04',
      releaseTime: '00:00',
      timeZone: 'Asia/Tokyo',
    });
    expect(details.territories).toEqual(['JP', 'GB']);
    expect(details.territoryDates).toEqual([
      { territories: ['JP'], releaseDate: '2027-06-04', releaseTime: '00:00', timeZone: 'Asia/Tokyo' },
      { territories: ['GB'], releaseDate: '2027-06-04', releaseTime: '00:00', timeZone: 'Europe/London' },
    ]);
  });

  it('takes the earliest of a territory’s starts as instants in its zone, not by their dates alone', () => {
    // 08:00 in Tokyo on the 4th (23:00 UTC on the 3rd) comes before 23:30 UTC on the 3rd, a date earlier.
    const xml = single(['JP'], '<StartDateTime>2027-06-03T23:30:00Z</StartDateTime>').replace(
      /<ValidityPeriod>.*?<\/ValidityPeriod>/,
      '<ValidityPeriod><StartDateTime>2027-06-04T08:00:00</StartDateTime></ValidityPeriod>',
    );

    const details = detailsOf(xml);

    expect(momentOf(details)).toEqual({
      releaseDate: '2027-06-04',
      releaseTime: '08:00',
      timeZone: 'Asia/Tokyo',
    });
  });

  it('refuses, as a JSON webhook’s time, a StartDateTime the territory’s clocks skip, naming it', () => {
    const parsed = parseErn(single(['GB'], '<StartDateTime>2027-03-28T01:30:00</StartDateTime>'));
    if (!parsed.ok) throw parsed.error;

    const body = ernWebhookBody(parsed.release, 'release.scheduled');

    expect(body.ok ? [] : body.error.issues).toEqual([
      {
        path: 'NewReleaseMessage/DealList/ReleaseDeal/Deal/DealTerms/ValidityPeriod/StartDateTime',
        message: '01:30 does not exist in Europe/London on 2027-03-28: the clocks skip it',
      },
    ]);
  });

  it('takes a StartDate on a day whose midnight the clocks skip as that day’s start, as a JSON date', () => {
    // Cairo's clocks go from 00:00 to 01:00 on the last Friday of April.
    const parsed = parseErn(single(['EG'], '<StartDate>2027-04-30</StartDate>'));
    if (!parsed.ok) throw parsed.error;

    const body = ernWebhookBody(parsed.release, 'release.scheduled');

    expect(momentOf(parsed.release.details!)).toEqual({
      releaseDate: '2027-04-30',
      releaseTime: '00:00',
      timeZone: 'Africa/Cairo',
    });
    expect(body.ok).toBe(true);
  });

  it('reads a takedown’s start in its territory’s zone: one dated today in Tokyo has started there', () => {
    // 01:00 on 6 January in Tokyo is 16:00 UTC on the 5th: the takedown's day has begun in Japan.
    const xml = single(['JP', 'IE'], '<StartDate>2027-01-01</StartDate>', {
      createdAt: '2027-01-05T16:00:00Z',
    }).replace(
      '</ReleaseDeal>',
      '<Deal><DealTerms><TerritoryCode>JP</TerritoryCode><ValidityPeriod><StartDate>2027-01-06</StartDate></ValidityPeriod><TakeDown>true</TakeDown></DealTerms></Deal></ReleaseDeal>',
    );

    expect(ernIssues(xml)).toEqual([]);
    expect(detailsOf(xml).territories).toEqual(['IE']);
  });
});
