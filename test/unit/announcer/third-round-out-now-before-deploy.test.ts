import { describe, expect, it } from 'vitest';
import {
  aReleaseClaim,
  giveDeBack,
  lateEmailSent,
  reAnnouncedBeforeTheReleaseDay,
  withdrawDeItsAnswerLost,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: "Out-nows named no round until December 2026: an address announced
 * again whose out-now went in that round under round 0's identity ... has heard it", and "So the address
 * hears once in the round that the release is out." The round's out-now reads only the out-now of the
 * round whose withdrawal the address last heard (toldOutNowInRound); in a third round that is the round
 * before's, so an out-now of round 0's identity, asked before the deploy while the second withdrawal was
 * being sent, is no longer read.
 *
 * Before the deploy: the German outlet is announced, told of DE's withdrawal and announced again when DE
 * is given back (round given-back-1), the release not yet out (no out-now in round 0). DE is withdrawn
 * again: SES sends the withdrawal, its answer lost. The release day comes; DE is given back again while
 * that withdrawal is still claimed: the German outlet, still in round given-back-1, is told the release
 * is out, under round 0's identity (out-nows named no round then), after the withdrawal. After the
 * deploy, the withdrawal's late Email Sent announces it again (given-back-2) and asks that round's
 * out-now, which reads given-back-1's out-now only (none) and goes: "out" twice after the withdrawal.
 */
describe('an out-now of round 0 identity asked before the deploy while the second withdrawal was being sent', () => {
  // A third round's out-now reads round 0's out-now as well as the round before's (it failed with
  // [..., cancellation, announcement, out-now] where the last out-now is not due while it read the latter only).
  it('is not told again to the German outlet in its third round', async () => {
    const press = await reAnnouncedBeforeTheReleaseDay();
    const { german, world, label, releaseDay } = press;

    // DE withdrawn again: SES sends the withdrawal, its answer lost (the claim stays open).
    world.clock.now += 60_000;
    const withdrawal = await withdrawDeItsAnswerLost(
      press,
      'evt-withdrawn-again',
      '2026-02-03T10:00:00.000Z',
    );

    // The release day comes; DE given back again, the withdrawal still claimed. Before the deploy, the
    // out-now asked told the German outlet under round 0's identity, after the withdrawal went.
    await releaseDay();
    world.clock.now += 60_000;
    await label(giveDeBack, 'evt-given-back-again', '2026-02-04T10:00:00.000Z', ['out-now']);
    world.clock.now += 60_000;
    const at = world.deps.now().toISOString();
    const told = await world.deliveries.claim(aReleaseClaim(german, { kind: 'out-now' }), at);
    await world.deliveries.markSent(told!.deliveryId, 'msg-before', at);
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
      'cancellation',
    ]);

    // After the deploy, the withdrawal's late Email Sent: announced again, that round's out-now asked.
    world.clock.now += 60_000;
    await lateEmailSent(world, withdrawal, ['announcement', 'out-now']);

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
      'cancellation',
      'announcement',
    ]);
  });
});
