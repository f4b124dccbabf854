import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { parseErn } from '#shared/ern.ts';
import { ernMessage } from '#test/support/ern.ts';

const base = {
  messageId: 'MSG-2027-0001',
  createdAt: '2027-01-05T10:00:00Z',
  icpn: '5012345678900',
  genre: 'Synthpop',
  date: '2027-03-05',
};

/** The instant a release's street date, time and zone stand for. */
const instantOf = (details: { releaseDate: string; releaseTime: string; timeZone: string }) =>
  Temporal.PlainDateTime.from(`${details.releaseDate}T${details.releaseTime}`)
    .toZonedDateTime(details.timeZone)
    .toInstant()
    .toString();

describe('a DDEX deal that gives its start as StartDateTime with an offset', () => {
  it('releases at the instant the deal names, not at its wall-clock time read as UTC', () => {
    // 02:00 in Tokyo on 5 March is 17:00 UTC on 4 March.
    const xml = ernMessage('single', base).replaceAll(
      '<StartDate>2027-03-05</StartDate>',
      '<StartDateTime>2027-03-05T02:00:00+09:00</StartDateTime>',
    );

    const parsed = parseErn(xml);

    expect(parsed.ok).toBe(true);
    const details = parsed.ok ? parsed.release.details : undefined;
    expect(details && instantOf(details)).toBe('2027-03-04T17:00:00Z');
  });

  it('reads a MessageCreatedDateTime without a zone as UTC, in any zone the machine runs in', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo';
    try {
      const xml = ernMessage('single', base).replace('2027-01-05T10:00:00Z', '2027-01-05T10:00:00');
      expect(xml).toContain('<MessageCreatedDateTime>2027-01-05T10:00:00</MessageCreatedDateTime>');

      const parsed = parseErn(xml);

      expect(parsed.ok && parsed.release.createdAt).toBe('2027-01-05T10:00:00.000Z');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});
