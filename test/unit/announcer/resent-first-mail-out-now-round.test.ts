import { describe, expect, it } from 'vitest';
import {
  aLabelAndItsPress,
  deOnItsOwnDate,
  reAnnouncedItsAnswerLost,
  runRequested,
  sweptPastStale,
  toldOutNowInRoundZero,
} from '#test/support/announcer-fakes.ts';

/** GB on 26 March, DE on its own date, 5 March. */
const dates = deOnItsOwnDate('2027-03-05');

/**
 * The German outlet's re-announcement (round given-back-1, SES's answer lost) is resent by the sweep
 * after round 0's out-now told the address that the release is out (claimed ten minutes after the
 * re-announcement). Before resends kept the claim time, the resend moved the first mail's claim time
 * past the out-now's, and the out-now its follow-ups ask told the German outlet a second time in that
 * round that the release is out.
 *
 * docs/design.md#exactly-once-mail: out-nows named no round until December 2026, and the mailing
 * passes an address whose round-0 out-now was claimed after the withdrawal it last heard before its
 * current round (it heard in that round that the release is out), not after the round's first mail,
 * whose claim time a resend moved then; the sweep's taking over keeps it now, a resend's as a hold's.
 */
describe('a re-announcement resent by the sweep after round 0’s out-now told the address in its round', () => {
  it('does not tell the German outlet a second time in that round that the release is out', async () => {
    const press = aLabelAndItsPress();
    const { german, world } = press;
    // DE given back: SES sends the re-announcement (round given-back-1), its answer lost: claim open.
    const announcements = await reAnnouncedItsAnswerLost(press, dates);
    expect(announcements).toHaveLength(2);

    // DE's day comes; ten minutes after the re-announcement's claim, before out-nows named their round,
    // round 0's out-now tells the German outlet that the release is out (claimed and sent then).
    await toldOutNowInRoundZero(press, dates);

    // No withdrawal again: the sweep that finds the re-announcement stale (its Email Sent lost)
    // resends it, the resend's mark asking its follow-ups: the out-now of DE's day.
    await sweptPastStale(world, 10 * 60_000);
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(3);
    await runRequested(world, 'out-now');

    // Round given-back-1: announced again, told by round 0's out-now that it is out; no second out-now.
    expect(world.mailer.receivedBy(german.email, 'out-now')).toEqual([]);
  });
});
