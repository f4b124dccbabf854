import { describe, expect, it } from 'vitest';
import {
  givenBackOnTheReleaseDay,
  lateEmailSent,
  reAnnouncedBeforeTheReleaseDay,
  withdrawDeItsAnswerLost,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: "From that withdrawal's sending to its round's first mail no out-now
 * goes to the address ... but one asked while the withdrawal was still being sent and its territory
 * already given back: that one told it, after the withdrawal, that the release is out, and counts so.
 * ... So the address hears once in the round that the release is out." The mailing counted only an
 * out-now of round 0's identity (toldOutNowInRound); from the third round on, the out-now so asked is
 * of the round before's identity, and was not read.
 *
 * The German outlet is announced, told of DE's withdrawal, and announced again when DE is given back
 * (round given-back-1), the release not yet out. DE is withdrawn again: SES sends the withdrawal, its
 * answer lost. The release day comes; DE is given back again while that withdrawal is still claimed:
 * the German outlet, still in round given-back-1, is told the release is out (that round's out-now,
 * sent after the withdrawal). The withdrawal's late Email Sent announces it again (given-back-2) and
 * asks that round's out-now, which reads round 0's out-now only (none) and goes: "out" twice after the
 * withdrawal, in round given-back-2.
 */
describe('an out-now asked while the second withdrawal was still being sent', () => {
  // The round's out-now reads the out-now of the round whose withdrawal the address last heard
  // (docs/design.md#exactly-once-mail); reading round 0's only, it failed with [..., out-now
  // (given-back-1), announcement, out-now (given-back-2)] where the last out-now is not due.
  it('tells the German outlet the release is out once in its third round', async () => {
    const press = await reAnnouncedBeforeTheReleaseDay();
    const { german, world } = press;
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
    ]);

    // DE withdrawn again: SES sends the withdrawal, its answer lost (the claim stays open).
    world.clock.now += 60_000;
    const withdrawal = await withdrawDeItsAnswerLost(
      press,
      'evt-withdrawn-again',
      '2026-02-03T10:00:00.000Z',
    );

    // The release day comes; DE given back again, the withdrawal still claimed: the out-now asked goes.
    await givenBackOnTheReleaseDay(press, 'evt-given-back-again', '2026-02-04T10:00:00.000Z');
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
      'cancellation',
      'out-now',
    ]);

    // The withdrawal's late Email Sent: the German outlet announced again, that round's out-now asked.
    world.clock.now += 60_000;
    await lateEmailSent(world, withdrawal, ['announcement', 'out-now']);

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
      'cancellation',
      'out-now',
      'announcement',
    ]);
  });
});
