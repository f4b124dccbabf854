import { describe, expect, it } from 'vitest';
import { parseErn } from '#shared/ern.ts';
import { ernMessage } from '#test/support/ern.ts';

/**
 * docs/design.md#ddex-ern: a deal's StartDate, or a StartDateTime that names no zone, is a local time
 * in each territory of the deal (DDEX: a deal starting on 1 December for the US and the UK starts at
 * midnight in London, and five hours later in Boston), so a country keeping one time that day has its
 * street date in its own zone; a StartDateTime with an offset is the one instant it names everywhere.
 */
const summer = {
  messageId: 'MSG-2027-0501',
  createdAt: '2027-05-01T10:00:00Z',
  icpn: '5012345678900',
  genre: 'Synthpop',
  dateGB: '2027-06-04',
  dateDE: '2027-06-11',
  dateUS: '2027-06-18',
  preOrderDate: '2027-05-07',
};
const detailsOf = (xml: string) => {
  const parsed = parseErn(xml);
  if (!parsed.ok) throw parsed.error;
  return parsed.release.details!;
};
const moments = (xml: string) =>
  detailsOf(xml).territoryDates?.map(({ territories, releaseDate, releaseTime, timeZone }) => ({
    territories,
    releaseDate,
    releaseTime,
    timeZone,
  }));

describe('a DDEX deal whose start names no zone', () => {
  it("takes a StartDate at midnight in each territory's own zone, not at midnight UTC", () => {
    const xml = ernMessage('three-territories', summer);

    // The United States keeps several times: its date stays at midnight UTC.
    expect(moments(xml)).toEqual([
      { territories: ['GB'], releaseDate: '2027-06-04', releaseTime: '00:00', timeZone: 'Europe/London' },
      { territories: ['DE'], releaseDate: '2027-06-11', releaseTime: '00:00', timeZone: 'Europe/Berlin' },
      { territories: ['US'], releaseDate: '2027-06-18', releaseTime: '00:00', timeZone: 'UTC' },
    ]);
    expect(detailsOf(xml)).toMatchObject({
      releaseDate: '2027-06-04',
      releaseTime: '00:00',
      timeZone: 'Europe/London',
    });
  });

  it("takes a StartDateTime without an offset as that wall time in the territory's zone, and one with an offset at its instant", () => {
    const xml = ernMessage('three-territories', summer)
      .replace('<StartDate>2027-06-11</StartDate>', '<StartDateTime>2027-06-11T09:00:00</StartDateTime>')
      .replace(
        '<StartDate>2027-06-18</StartDate>',
        '<StartDateTime>2027-06-18T09:00:00-04:00</StartDateTime>',
      );

    expect(moments(xml)).toEqual([
      { territories: ['GB'], releaseDate: '2027-06-04', releaseTime: '00:00', timeZone: 'Europe/London' },
      { territories: ['DE'], releaseDate: '2027-06-11', releaseTime: '09:00', timeZone: 'Europe/Berlin' },
      { territories: ['US'], releaseDate: '2027-06-18', releaseTime: '13:00', timeZone: 'UTC' },
    ]);
  });

  it("gives a territory the earliest of its deals' starts as instants: midnight in London before 23:30 UTC the evening before", () => {
    const xml = ernMessage('three-territories', summer).replace(
      '<CommercialModelType>SubscriptionModel</CommercialModelType>',
      '<CommercialModelType>SubscriptionModel</CommercialModelType></DealTerms></Deal><Deal><DealTerms>' +
        '<TerritoryCode>GB</TerritoryCode><ValidityPeriod><StartDateTime>2027-06-03T23:30:00Z</StartDateTime></ValidityPeriod>' +
        '<CommercialModelType>PayAsYouGoModel</CommercialModelType><UseType>PermanentDownload</UseType>',
    );

    expect(moments(xml)?.[0]).toEqual({
      territories: ['GB'],
      releaseDate: '2027-06-04',
      releaseTime: '00:00',
      timeZone: 'Europe/London',
    });
  });
});
