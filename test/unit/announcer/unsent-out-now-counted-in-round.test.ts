import { describe, expect, it } from 'vitest';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import {
  far,
  givenBackRoundZeroOutNowUnanswered,
  lateEmailSent,
  runSettled,
  sweepEachMinute,
  withdrawnWithItsAnswerLost,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: an address announced again "is told again that it is out"; the
 * mailing passes an address whose round-0 out-now was claimed after the withdrawal it last heard, "and
 * not closed unsent", since such an out-now told it the release is out. An out-now still open (SES
 * answered for no entry: nothing sent) has told nothing yet, and the sweep then closes it unsent as of a
 * round the address has left.
 *
 * DE withdrawn: SES sends the withdrawal, its answer lost. The release day comes, DE is given back and
 * the out-now is asked while the withdrawal is still claimed: SES answers its call for no entry, the
 * German outlet's out-now stays claimed, unsent. The withdrawal's late Email Sent announces the German
 * outlet again (round given-back-1) and asks that round's out-now: eb15f6d counts the open round-0
 * out-now (claimed after the withdrawal, not closed) as told, and passes the German outlet. The sweep
 * then closes the round-0 out-now unsent (its round left): the German outlet is never told the release
 * is out. (Before eb15f6d the round-0 out-now, claimed before the round's first mail, was not counted.)
 */
describe('an out-now claimed but never sent while the withdrawal before it is still being sent, DE given back', () => {
  it('tells the German outlet the release is out after announcing it again', async () => {
    // Announced, then DE withdrawn: SES sends the withdrawal, its answer lost (the claim stays open).
    const press = await withdrawnWithItsAnswerLost();
    const { german, british, world } = press;
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');

    // The release day comes; DE is given back; the out-now is asked, SES answers its call for no entry.
    await givenBackRoundZeroOutNowUnanswered(press);
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual(['announcement', 'cancellation']);

    // The withdrawal's late Email Sent: the German outlet is announced again, and that round's out-now asked.
    world.clock.now += 60_000;
    await lateEmailSent(world, withdrawal, ['announcement', 'out-now']);

    // The sweeps past the stale window look at the open round-0 out-now (and run what settling asks).
    await sweepEachMinute(world, 40);
    world.clock.now += defaultSettings.staleClaimMs;
    await sweepStaleClaims(world.deps, far());
    await runSettled(world);

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
      'out-now',
    ]);
    expect(world.mailer.kindsReceivedBy(british.email)).toEqual(['announcement', 'out-now']);
  });
});
