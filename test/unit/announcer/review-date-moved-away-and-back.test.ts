import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { aLabelAndItsPress, announce, far, mailTextOf, meta } from '#test/support/announcer-fakes.ts';
import { aReleaseDetails } from '#test/support/releases.ts';

/**
 * A date change's identity is the date it moves to: moved 5 -> 19 -> 26 -> back to 19 March, the
 * third date change's claim is the first one's, spent, so an outlet told 26 March never hears the
 * release is back on 19 March (docs/design.md#street-dates-per-territory lists it as not yet right).
 */
describe('a release moved away from a date and back to it', () => {
  it('tells the outlet told 26 March that it is back on 19 March', async () => {
    const { british, release, world, store, label } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    const moveTo = (releaseDate: string) => ({
      type: 'Release Updated' as const,
      details: aReleaseDetails({ territories: ['GB', 'DE'], releaseDate }),
    });
    await label(moveTo('2027-03-19'), 'evt-19', '2026-02-01T10:00:00.000Z');
    await label(moveTo('2027-03-26'), 'evt-26', '2026-02-02T10:00:00.000Z');
    expect(world.mailer.receivedBy(british.email, 'date-change')).toHaveLength(2);
    world.mailer.calls.length = 0;

    await label(moveTo('2027-03-19'), 'evt-19-again', '2026-02-03T10:00:00.000Z');

    expect(mailTextOf(world, british.email, 'date-change')).toMatchObject({
      releaseDate: 'Friday, 19 March 2027, 00:00 (Europe/London)',
      previousReleaseDate: 'Friday, 26 March 2027, 00:00 (Europe/London)',
    });
  });
});
