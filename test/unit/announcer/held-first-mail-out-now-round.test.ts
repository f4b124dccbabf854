import { describe, expect, it } from 'vitest';
import {
  aLabelAndItsPress,
  deOnItsOwnDate,
  lateEmailSent,
  reAnnouncedItsAnswerLost,
  toldOutNowInRoundZero,
  withdrawnAgainAndSwept,
} from '#test/support/announcer-fakes.ts';

/** GB on 26 March, DE on its own date, 5 March. */
const dates = deOnItsOwnDate('2027-03-05');
const inBoth = { type: 'Release Updated' as const, details: dates };

/**
 * docs/design.md#exactly-once-mail: out-nows named no round until December 2026, and the mailing
 * passes an address whose round-0 out-now was claimed after the withdrawal it last heard before its
 * current round (it heard in that round that the release is out). A first mail left open while its
 * territory is withdrawn is held at the sweep's time, a whole staleClaimMs after it was claimed, so a
 * round-0 out-now claimed in between still counts as told in the round.
 */
describe('a re-announcement held while DE is withdrawn again, after round 0’s out-now told the address in its round', () => {
  it('does not tell the German outlet a second time in that round that the release is out', async () => {
    const press = aLabelAndItsPress();
    const { german, world, label } = press;
    // DE given back: SES sends the re-announcement (round given-back-1), its answer lost: claim open.
    const announcements = await reAnnouncedItsAnswerLost(press, dates);
    expect(announcements).toHaveLength(2);

    // DE's day comes; ten minutes after the re-announcement's claim, before out-nows named their round,
    // round 0's out-now tells the German outlet that the release is out (claimed and sent then).
    await toldOutNowInRoundZero(press, dates);

    // DE withdrawn again (its withdrawal passes the address: its first mail still claimed); the
    // sweep that finds the re-announcement stale holds it.
    await withdrawnAgainAndSwept(press, 10 * 60_000);
    expect(world.deliveries.items.get(announcements[1].deliveryId)?.status).toBe('claimed');

    // DE given back again (its mailing passes the address, its claim open); the re-announcement's
    // late Email Sent shows it went, and asks its follow-ups: the out-now of DE's day.
    await label(inBoth, 'evt-given-back-again', '2026-02-04T10:00:00.000Z');
    await lateEmailSent(world, announcements[1], ['out-now']);

    // Round given-back-1: announced again, told by round 0's out-now that it is out; no second out-now.
    expect(world.mailer.receivedBy(german.email, 'out-now')).toEqual([]);
  });
});
