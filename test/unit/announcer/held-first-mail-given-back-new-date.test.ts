import { describe, expect, it } from 'vitest';
import {
  aLabelAndItsPress,
  deOnItsOwnDate as dates,
  givenBackAgainTenMinutesOn,
  lateEmailSent,
  reAnnouncedItsAnswerLost,
  sweepEachMinute,
  toldDeOf as toldDe,
  withdrawnAgainAndSwept,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: a re-announcement left open while DE is withdrawn again is held,
 * and "the next giving back's mailing passes it (its claim open), its late Email Sent settles it as
 * sent once and asks its follow-ups"; docs/design.md#street-dates-per-territory: a withdrawal is stored
 * as the narrowed release, so a giving back that lists DE at a new date records no date change for DE.
 * The held re-announcement stated DE's old date (12 March); the giving back (19 March) passes the
 * German outlet, and the sweeps of the next ten minutes leave it held (looked at again once stale
 * again); its late Email Sent settles it, and what follows it tells the German outlet DE's date as it
 * now stands: the date change of DE from the date the mail stated to the one that stands.
 */
describe('a re-announcement held while DE is withdrawn again, DE given back at a new date', () => {
  it('leaves the German outlet told DE’s date as it now stands once its late Email Sent settles it', async () => {
    const press = aLabelAndItsPress();
    const { german, world } = press;
    // DE given back on 12 March: SES sends the re-announcement, its answer lost (its claim open).
    const announcements = await reAnnouncedItsAnswerLost(press, dates('2027-03-12'));
    expect(announcements).toHaveLength(2);
    // DE withdrawn again; the sweep holds the re-announcement.
    await withdrawnAgainAndSwept(press);
    expect(world.deliveries.items.get(announcements[1].deliveryId)?.status).toBe('claimed');

    // DE given back again, on 19 March now; the re-announcement's Email Sent comes ten minutes after.
    await givenBackAgainTenMinutesOn(press, dates('2027-03-19'));
    // The sweeps of those ten minutes, one a minute.
    await sweepEachMinute(world, 10);
    await lateEmailSent(world, announcements[1], ['cancellation', 'announcement', 'date-change', 'out-now']);
    // The sweeps of the next hour.
    await sweepEachMinute(world, 60);

    // What the German outlet was last told of DE's date, by the mails it received (as SES merges them).
    expect(toldDe(world, german.email).at(-1)).toEqual({ kind: expect.any(String), date: '19 March 2027' });
  });
});
