import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { aLabelAndItsPress, announce, far, mailTextOf, meta } from '#test/support/announcer-fakes.ts';
import { aReleaseDetails } from '#test/support/releases.ts';

/**
 * A release's date change is identified by the date it moves to and the moment it moves from
 * (docs/design.md#street-dates-per-territory): moved 5 -> 19 -> back to 5 -> 19 March again, the
 * third move is the first one's identity (19 March, from 5 March), whose claim is spent, so an outlet
 * told the release is back on 5 March never hears that it is on 19 March again (design.md lists it as
 * "not yet right"): the press would print 5 March for a record out on the 19th.
 */
describe('a release moved between the same two dates twice', () => {
  it('tells the outlet told 5 March again that it is on 19 March again', async () => {
    const { british, release, world, store, label } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    const moveTo = (releaseDate: string) => ({
      type: 'Release Updated' as const,
      details: aReleaseDetails({ territories: ['GB', 'DE'], releaseDate }),
    });
    await label(moveTo('2027-03-19'), 'evt-19', '2026-02-01T10:00:00.000Z');
    await label(moveTo('2027-03-05'), 'evt-5', '2026-02-02T10:00:00.000Z');
    expect(world.mailer.receivedBy(british.email, 'date-change')).toHaveLength(2);
    world.mailer.calls.length = 0;

    await label(moveTo('2027-03-19'), 'evt-19-again', '2026-02-03T10:00:00.000Z');

    expect(world.mailer.receivedBy(british.email, 'date-change')).toHaveLength(3);
    expect(mailTextOf(world, british.email, 'date-change')).toMatchObject({
      releaseDate: 'Friday, 19 March 2027, 00:00 (Europe/London)',
      previousReleaseDate: 'Friday, 5 March 2027, 00:00 (Europe/London)',
    });
  });
});
