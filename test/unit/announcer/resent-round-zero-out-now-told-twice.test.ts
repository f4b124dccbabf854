import { describe, expect, it } from 'vitest';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import {
  anAnnouncedPress,
  far,
  giveDeBack,
  lateEmailSent,
  roundZeroOutNowUnanswered,
  runSettled,
  withdrawDeItsAnswerLost,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: "an address announced again whose out-now went in that round under
 * round 0's identity (or whose round-0 out-now the sweep resent since) has heard it", and one that went
 * "while the withdrawal was still being sent and its territory already given back ... told it, after the
 * withdrawal, that the release is out, and counts so. ... So the address hears once in the round that
 * the release is out."
 *
 * The release day comes; the out-now is claimed and SES answers its call for no entry (nothing sent,
 * claims open). Twenty minutes later DE is withdrawn: SES sends the withdrawal, its answer lost. DE is
 * given back; the sweep finds the out-nows stale and resends them: the German outlet hears, after the
 * withdrawal, that the release is out. The withdrawal's late Email Sent then announces the German
 * outlet again (round given-back-1) and asks that round's out-now. ee41b19 keeps the out-now's first
 * claim time on its resend (before the withdrawal's), so eb15f6d does not count it as told in the
 * round, and the German outlet is told a second time that the release is out. (Before ee41b19 the
 * resend moved the out-now's claim time past the withdrawal's, and it counted.)
 */
describe('a round-0 out-now the sweep resent after the withdrawal went, DE given back', () => {
  it('does not tell the German outlet a second time in the round its withdrawal’s settling opens', async () => {
    const press = await anAnnouncedPress();
    const { german, british, world, label } = press;
    // The release day comes; SES answers the out-now's call for no entry: nothing sent, claims open.
    await roundZeroOutNowUnanswered(press);

    // Twenty minutes later DE is withdrawn: SES sends the withdrawal, its answer lost.
    world.clock.now += 20 * 60_000;
    await withdrawDeItsAnswerLost(press, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');

    // DE given back; the sweep past the out-nows' stale window (not yet the withdrawal's) resends them.
    world.clock.now += 60_000;
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    world.clock.now += defaultSettings.staleClaimMs - 20 * 60_000;
    await sweepStaleClaims(world.deps, far());
    await runSettled(world);
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual(['announcement', 'cancellation', 'out-now']);

    // The withdrawal's late Email Sent: the German outlet is announced again, and the round's out-now asked.
    world.clock.now += 60_000;
    await lateEmailSent(world, withdrawal, ['announcement', 'out-now']);

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'out-now',
      'announcement',
    ]);
    expect(world.mailer.kindsReceivedBy(british.email)).toEqual(['announcement', 'out-now']);
  });
});
