import { describe, expect, it } from 'vitest';
import {
  lateEmailSent,
  roundZeroOutNowItsAnswerLostWhileWithdrawalOpen,
  roundZeroOutNowsSentLateThenSwept,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: the mailing passes an address "whose round-0 out-now went out
 * (marked sent, or shown sent by its late `Email Sent`) and was sent after the withdrawal it last heard
 * before its current round": such an address has heard it in its round.
 *
 * DE withdrawn: SES sends the withdrawal, its answer lost. The release day comes, DE is given back and
 * the out-now is asked while the withdrawal is still claimed: SES sends the German outlet's round-0
 * out-now, its answer lost too (the claim stays open). The withdrawal's late Email Sent announces the
 * German outlet again (round given-back-1) and asks that round's out-now while the round-0 out-now's
 * answer is still on its way: 6f79880 counts only an out-now already marked sent, so it mails the
 * round's out-now; the round-0 out-now's late Email Sent then shows it went, after the withdrawal. The
 * German outlet is told the release is out twice in round given-back-1. Now the round's out-now is held
 * (claimed, unsent) while the round-0 out-now is open, and the sweep closes it once that one's Email
 * Sent shows it went after the withdrawal.
 */
describe('a round-0 out-now sent with its answer lost while the new round out-now is asked', () => {
  it('tells the German outlet the release is out once in its new round', async () => {
    // DE withdrawn: SES sends the withdrawal, its answer lost (the claim stays open). The release day
    // comes; DE is given back; the out-now is asked: SES sends it, its answer lost.
    const scene = await roundZeroOutNowItsAnswerLostWhileWithdrawalOpen();
    const { german, british, world, withdrawal, roundZeroOutNow, britishOutNow, outNowSentAt } = scene;
    expect(roundZeroOutNow).toBeDefined();

    // The withdrawal's late Email Sent: the German outlet is announced again, and that round's out-now asked.
    world.clock.now += 60_000;
    await lateEmailSent(world, withdrawal, ['announcement', 'out-now']);
    // The round-0 out-nows' late Email Sent (SES's time: the German outlet's went after the withdrawal);
    // the sweep past the held round out-now's stale window, then its runs of the next hour.
    await roundZeroOutNowsSentLateThenSwept(world, [roundZeroOutNow, britishOutNow], outNowSentAt);

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'out-now',
      'announcement',
    ]);
    expect(world.mailer.kindsReceivedBy(british.email)).toEqual(['announcement', 'out-now']);
  });
});
