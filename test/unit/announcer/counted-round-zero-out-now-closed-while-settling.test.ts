import { describe, expect, it } from 'vitest';
import {
  givenBackRoundZeroOutNowUnanswered,
  itsLastWithdrawal,
  lateEmailSent,
  runRequested,
  staleWindowMinutes,
  sweepEachMinute,
  sweptPastStale,
  withdrawnWithItsAnswerLost,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: a round-0 out-now still claimed after the withdrawal counts as told
 * in the address's new round, so the round's out-now passes the address; the sweep, once it is stale,
 * resends it if the address's first mail of the round went out, else closes it, "and the out-now that
 * first mail asks as it settles goes". The sweep decides that from the rounds it read, then closes
 * the claim with no condition on them: a first mail of the round settling between the two is missed.
 *
 * DE withdrawn: SES sends the withdrawal, its answer lost. The release day comes, DE is given back and
 * round 0's out-now asked: SES answers for no entry (nothing sent, the claim open). The withdrawal's
 * late Email Sent announces the German outlet again (round given-back-1): SES sends the announcement,
 * its answer lost. Round 0's out-now goes stale; the sweep reads the German outlet's round, its
 * announcement still claimed, and so takes round 0's out-now as of a round the address left; before
 * it closes it, the announcement's Email Sent marks it and asks the round's out-now, which passes the
 * German outlet for round 0's out-now, still claimed after the withdrawal went. The sweep closes it:
 * the German outlet, announced again while the release is out, is never told it is out.
 * (The race is forced by running the Email Sent inside the sweep's close of that claim.)
 */
describe('a counted round-0 out-now closed by the sweep while the round first mail settles', () => {
  // Guards against 81e0c1b's rule (reverted): a sweep closing a round-0 out-now counted for the
  // address's round left it never told (it failed with [announcement, cancellation, announcement]).
  it('still tells the German outlet the release is out in its new round', async () => {
    const press = await withdrawnWithItsAnswerLost();
    const { german, british, world } = press;
    const withdrawal = itsLastWithdrawal(world, german.email);

    // The release day comes; DE is given back; round 0's out-now is asked: SES answers for no entry.
    await givenBackRoundZeroOutNowUnanswered(press);
    const roundZeroOutNow = [...world.deliveries.items.values()].find(
      (d) => d.kind === 'out-now' && d.email === german.email && !d.revision,
    )!;
    expect(roundZeroOutNow.status).toBe('claimed');

    // The withdrawal's late Email Sent: the German outlet is announced again, SES's answer lost.
    world.clock.now += 60_000;
    await lateEmailSent(world, withdrawal, []);
    world.mailer.script = (mail) =>
      mail.kind === 'announcement' ? 'accept-then-fail' : (undefined as never);
    await runRequested(world, 'announcement').catch(() => {});
    world.mailer.script = undefined;
    const reAnnouncement = world.mailer.receivedBy(german.email, 'announcement')[1];
    const reAnnouncedAt = new Date(world.clock.now).toISOString();
    await runRequested(world, 'out-now');
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
    ]);

    // The sweep past round 0's out-now's stale window: as it closes that claim, the announcement's
    // Email Sent marks it and the round's out-now it asks runs.
    const close = world.deliveries.markFailed;
    world.deliveries.markFailed = async (id, failure, at) => {
      if (id === roundZeroOutNow.deliveryId) {
        world.deliveries.markFailed = close;
        await lateEmailSent(world, { ...reAnnouncement, at: reAnnouncedAt }, ['out-now']);
      }
      return close(id, failure, at);
    };
    await sweptPastStale(world, 60_000);
    world.deliveries.markFailed = close;
    await sweepEachMinute(world, staleWindowMinutes + 30);

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
      'out-now',
    ]);
    expect(world.mailer.kindsReceivedBy(british.email)).toEqual(['announcement', 'out-now']);
  });
});
