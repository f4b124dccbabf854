import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import {
  announce,
  far,
  giveDeBack,
  itsLastWithdrawal,
  lateEmailSent,
  meta,
  sweepEachMinute,
  sweptPastStale,
  withdrawnWithItsAnswerLost,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: "the address hears once in the round that the release is out". A
 * round-0 out-now still claimed after the withdrawal counts in the address's new round, and the sweep,
 * once it is stale, resends it rather than close it if the address's first mail of the round went out;
 * it resends it whether or not the round's own out-now went to the address already (before 81e0c1b it
 * closed it as of a round the address had left).
 *
 * DE withdrawn: SES sends the withdrawal, its answer lost. The release day comes and DE is given back;
 * round 0's out-now mailing reads the German outlet's rounds (in round 0, its withdrawal still
 * claimed); before it claims, the withdrawal's Email Sent announces the German outlet again (round
 * given-back-1) and the round's out-now tells it the release is out (round 0's out-now not yet
 * claimed). Round 0's out-now is then claimed, after the withdrawal went, and SES answers its call for
 * no entry (nothing sent). Stale, the sweep resends it: the German outlet hears "out" twice in its new
 * round. (The race is forced by running the Email Sent and the mailings it asks inside round 0's
 * out-now mailing, just before its claim.)
 */
describe("a round-0 out-now claimed open after the round's own out-now went", () => {
  // Guards against 81e0c1b's rule (reverted): the sweep resent a counted round-0 out-now after the
  // round's own went (it failed with [announcement, cancellation, announcement, out-now, out-now]).
  it('is not resent to the German outlet by the sweep', async () => {
    const { german, british, world, label, releaseDay } = await withdrawnWithItsAnswerLost();
    const withdrawal = itsLastWithdrawal(world, german.email);

    // The release day comes; DE is given back, and round 0's out-now asked: between that mailing's read
    // of the rounds and its claim, the withdrawal's Email Sent, the announcement it asks and that
    // round's out-now run; then SES answers round 0's out-now call for no entry.
    await releaseDay();
    world.clock.now += 60_000;
    let raced = false;
    const claimMany = world.deliveries.claimMany;
    world.deliveries.claimMany = async (claims, at) => {
      if (
        claims.some((claim) => claim.kind === 'out-now' && claim.email === german.email && !claim.revision)
      ) {
        world.deliveries.claimMany = claimMany;
        await lateEmailSent(world, withdrawal, ['announcement', 'out-now']);
        raced = true;
      }
      return claimMany(claims, at);
    };
    world.mailer.script = (mail) => (mail.kind === 'out-now' && raced ? [] : (undefined as never));
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());
    world.mailer.script = undefined;
    world.deliveries.claimMany = claimMany;
    expect(raced).toBe(true);
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
      'out-now',
    ]);

    // The sweep past round 0's out-now's stale window, then its runs of the next hour.
    await sweptPastStale(world);
    await sweepEachMinute(world, 60);

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
      'out-now',
    ]);
    expect(world.mailer.receivedBy(british.email, 'out-now')).toHaveLength(1);
  });
});
