import { describe, expect, it } from 'vitest';
import { firstMailAudience } from '#shared/first-mails.ts';
import { momentsForOutlet } from '#shared/releases.ts';
import { anOutlet } from '#test/support/outlets.ts';
import { aReleaseDetails } from '#test/support/releases.ts';

describe('a worldwide entry’s embargo and an outlet in a country with its own date', () => {
  it('does not hold a JP outlet by the embargo of the worldwide date, which does not apply to it', () => {
    // "Japan on 5 March (the release's own date), worldwide on 12 March, its press held until the
    // 10th". Since 0000fd8 the worldwide date does not apply in Japan: a JP outlet's one date is the
    // 5th, and its announcement states only that. It must not wait for an embargo of a date it is
    // never told (docs/design.md#embargoes: "waits for the latest that applies").
    const details = aReleaseDetails({
      territories: ['JP', 'WW'],
      releaseDate: '2027-03-05',
      timeZone: 'Asia/Tokyo',
      territoryDates: [
        {
          territories: ['WW'],
          releaseDate: '2027-03-12',
          timeZone: 'Europe/London',
          announceAt: '2027-03-10T12:00:00Z',
        },
      ],
    });
    const jp = anOutlet({ id: 'out-jp', territories: ['JP'], genres: [] });
    expect(momentsForOutlet(jp.territories, details).map((g) => g.key)).toEqual([
      '2027-03-05T00:00 Asia/Tokyo',
    ]);

    const audience = firstMailAudience('announcement', [jp], details, new Date('2027-03-01T00:00:00Z'));

    expect(audience.map((o) => o.id)).toEqual(['out-jp']);
  });
});
