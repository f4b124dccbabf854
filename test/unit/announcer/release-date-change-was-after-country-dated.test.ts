import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { aLabelAndItsPress, far, meta } from '#test/support/announcer-fakes.ts';
import { aReleaseDetails } from '#test/support/releases.ts';

/**
 * A release's date change is written as any other mail to the outlet once the release has territory
 * dates (statedDates: every date that applies to it), and states as the date the release was what the
 * address was last told (lastTold, docs/design.md#street-dates-per-territory), as every other date
 * change does: never the release's previous moment, which after DE's own date is 19 March, the date it
 * moved to. Moved 5 -> 19 March, its mailing reaching the outlets after DE was given 26 March: the
 * British outlet, told 5 March, reads "19 March in GB, was 5 March".
 */
describe("a release's date change reaching the outlets after a country was given its own date", () => {
  it('tells each outlet the date it was told before, 5 March', async () => {
    const { german, british, world, label, held } = aLabelAndItsPress();
    await label(
      { type: 'Release Scheduled', details: aReleaseDetails({ territories: ['GB', 'DE'] }) },
      'evt-scheduled',
      '2026-01-01T10:00:00.000Z',
    );
    await label(
      {
        type: 'Release Updated',
        details: aReleaseDetails({ territories: ['GB', 'DE'], releaseDate: '2027-03-19' }),
      },
      'evt-moved',
      '2026-01-02T10:00:00.000Z',
      ['date-change'],
    );
    await label(
      {
        type: 'Release Updated',
        details: aReleaseDetails({
          territories: ['GB', 'DE'],
          releaseDate: '2027-03-19',
          territoryDates: [{ territories: ['DE'], releaseDate: '2027-03-26' }],
        }),
      },
      'evt-de-dated',
      '2026-01-03T10:00:00.000Z',
      ['date-change'],
    );
    // The move's mailing (and DE's) reach the outlets only now.
    for (const request of held) await sendMailing(request, meta, world.deps, far());

    const told = (email: string) =>
      world.mailer.calls.flatMap((call) =>
        call.kind === 'date-change'
          ? call.entries
              .filter((entry) => entry.email === email)
              .map((entry) => {
                const text = {
                  ...(call.defaultData as { text: object }).text,
                  ...(entry.data as { text: object }).text,
                } as { releaseDate: string; previousReleaseDate?: string };
                return `${text.releaseDate}, was ${text.previousReleaseDate}`;
              })
          : [],
      );
    expect(told(british.email)).toEqual([
      'Friday, 19 March 2027, 00:00 (Europe/London) in GB, was Friday, 5 March 2027, 00:00 (Europe/London)',
    ]);
    expect(told(german.email)).toEqual([
      'Friday, 26 March 2027, 00:00 (Europe/London) in DE, was Friday, 5 March 2027, 00:00 (Europe/London)',
    ]);
  });
});
