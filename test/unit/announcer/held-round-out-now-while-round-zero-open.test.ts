import { describe, expect, it } from 'vitest';
import { settleFromEmailsSent } from '#functions/settlement/settle.ts';
import {
  emailSent,
  lateEmailSent,
  roundZeroOutNowItsAnswerLostWhileWithdrawalOpen,
  sweepEachMinute,
  sweptPastStale,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: the round's out-now held while a round-0 out-now claimed after the
 * withdrawal is open is, at the sweep's look, "held once more while that one is still open", and
 * "closed unsent if the out-now before it went out after the withdrawal".
 *
 * DE withdrawn: SES sends the withdrawal, its answer lost. The release day comes, DE is given back and
 * the out-now is asked while the withdrawal is still claimed: SES sends the German outlet's round-0
 * out-now, its answer lost too. The withdrawal's late Email Sent announces the German outlet again
 * (round given-back-1); that round's out-now is held for the open round-0 out-now. The sweep past the
 * held out-now's stale window looks at it while the round-0 out-now is still open (forced: that sweep's
 * read of the stale claims leaves the round-0 out-now out), whose late Email Sent then shows it went
 * after the withdrawal: sent at that look, the held out-now would tell the German outlet "out" twice.
 */
describe("a held round out-now looked at while round 0's out-now is still open", () => {
  it('is held once more, then closed: the German outlet hears "out" once in its round', async () => {
    // DE withdrawn: SES sends the withdrawal, its answer lost (the claim stays open). The release day
    // comes; DE is given back; the out-now is asked: SES sends it, its answer lost.
    const { german, british, world, withdrawal, roundZeroOutNow, britishOutNow, outNowSentAt } =
      await roundZeroOutNowItsAnswerLostWhileWithdrawalOpen();
    await settleFromEmailsSent([emailSent({ ...britishOutNow, at: outNowSentAt })], world.deps);

    // The withdrawal's late Email Sent: the German outlet is announced again; that round's out-now held.
    world.clock.now += 60_000;
    await lateEmailSent(world, withdrawal, ['announcement', 'out-now']);
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'out-now',
      'announcement',
    ]);

    // The sweep past the held out-now's stale window, the round-0 out-now left out of its read.
    const stale = world.deliveries.stale;
    world.deliveries.stale = async (...args) =>
      (await stale(...args)).filter(
        (d) => !(d.kind === 'out-now' && d.email === german.email && !d.revision),
      );
    await sweptPastStale(world);
    world.deliveries.stale = stale;
    // The round-0 out-now's late Email Sent (SES's time: it went after the withdrawal); the next hour's sweeps.
    await settleFromEmailsSent([emailSent({ ...roundZeroOutNow, at: outNowSentAt })], world.deps);
    await sweepEachMinute(world, 60);

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'out-now',
      'announcement',
    ]);
    expect(world.mailer.kindsReceivedBy(british.email)).toEqual(['announcement', 'out-now']);
  });
});
