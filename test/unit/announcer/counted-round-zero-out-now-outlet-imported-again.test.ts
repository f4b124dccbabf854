import { describe, expect, it } from 'vitest';
import { announceToChangedOutlets } from '#functions/announcer/outlets-changed.ts';
import {
  givenBackRoundZeroOutNowUnanswered,
  itsLastWithdrawal,
  lateEmailSent,
  meta,
  runRequested,
  sweepEachMinute,
  sweptPastStale,
  withdrawnWithItsAnswerLost,
} from '#test/support/announcer-fakes.ts';
import { anOutlet } from '#test/support/releases.ts';

/**
 * docs/design.md#exactly-once-mail: a round-0 out-now still claimed after the withdrawal counts as told
 * in the address's new round, so the round's out-now passes the address; where nothing went "the
 * sweep, once it is stale, resends it rather than close it". And "It is the person, not the outlet": an
 * outlet deleted and imported again with the same address is found in the mails that address already
 * had. The round's out-now counts the claim by address; the sweep resends it only to the outlet it
 * names, and closes it once that outlet is gone.
 *
 * DE withdrawn: SES sends the withdrawal, its answer lost. The release day comes, DE is given back and
 * round 0's out-now asked: SES answers for no entry (nothing sent, the claim open). The withdrawal's
 * late Email Sent announces the German outlet again (round given-back-1) and asks that round's out-now,
 * which passes it for the open round-0 out-now. The label then deletes the German outlet and imports
 * it again, same address (Outlets Changed asks what it newly matches). The sweep past the stale window
 * closes round 0's out-now (its outlet gone): the address, announced again, is never told the release
 * is out.
 */
describe('a counted round-0 out-now whose outlet is deleted and imported again at its address', () => {
  // Guards against 81e0c1b's rule (reverted): an open round-0 out-now counted by address, closed once
  // its outlet was gone, left the address never told (it failed with [announcement, cancellation, announcement]).
  it('still tells the address the release is out in its new round', async () => {
    const press = await withdrawnWithItsAnswerLost();
    const { german, world } = press;
    const withdrawal = itsLastWithdrawal(world, german.email);

    // The release day comes; DE is given back; round 0's out-now is asked: SES answers for no entry.
    await givenBackRoundZeroOutNowUnanswered(press);

    // The withdrawal's late Email Sent: announced again; that round's out-now passes it for round 0's.
    world.clock.now += 60_000;
    await lateEmailSent(world, withdrawal, ['announcement', 'out-now']);

    // The German outlet deleted and imported again, same address: Outlets Changed, and what it asks.
    world.clock.now += 60_000;
    const imported = anOutlet({ kind: 'press', territories: ['DE'], email: german.email });
    world.directory.splice(world.directory.indexOf(german), 1, imported);
    await announceToChangedOutlets([imported.id], meta, world.deps);
    await runRequested(world, 'announcement');
    await runRequested(world, 'out-now');

    // The sweep past round 0's out-now's stale window, then its runs of the next hour.
    await sweptPastStale(world, 2 * 60_000);
    await sweepEachMinute(world, 60);

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
      'out-now',
    ]);
  });
});
