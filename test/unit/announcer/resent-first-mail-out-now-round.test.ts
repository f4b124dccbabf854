import { describe, expect, it } from 'vitest';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { territoryMomentsOf } from '#shared/releases.ts';
import {
  aLabelAndItsPress,
  aReleaseClaim,
  far,
  runRequested,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';
import { aReleaseDetails } from '#test/support/releases.ts';

/** GB on 26 March, DE on its own date, 5 March. */
const dates = aReleaseDetails({
  territories: ['GB', 'DE'],
  releaseDate: '2027-03-26',
  territoryDates: [{ territories: ['DE'], releaseDate: '2027-03-05' }],
});
const inBoth = { type: 'Release Updated' as const, details: dates };

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
    const { german, world, label, releaseDay } = press;
    await label({ type: 'Release Scheduled', details: dates }, 'evt-scheduled', '2026-01-01T10:00:00.000Z');
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    // DE given back: SES sends the re-announcement (round given-back-1), its answer lost: claim open.
    world.mailer.script = (mail) =>
      mail.kind === 'announcement' ? 'accept-then-fail' : (undefined as never);
    await label(inBoth, 'evt-given-back', '2026-02-02T10:00:00.000Z').catch(() => {});
    world.mailer.script = undefined;
    const announcements = world.mailer.receivedBy(german.email, 'announcement');
    expect(announcements).toHaveLength(2);

    // DE's day comes; ten minutes after the re-announcement's claim, before out-nows named their round,
    // round 0's out-now tells the German outlet that the release is out (claimed and sent then).
    const germany = territoryMomentsOf(dates).find((group) => group.territories.includes('DE'))!;
    await releaseDay(germany.moment);
    world.clock.now += 10 * 60_000;
    const at = world.deps.now().toISOString();
    const told = await world.deliveries.claim(aReleaseClaim(german, { kind: 'out-now' }), at);
    await world.deliveries.markSent(told!.deliveryId, 'msg-before', at);

    // No withdrawal again: the sweep that finds the re-announcement stale (its Email Sent lost)
    // resends it, the resend's mark asking its follow-ups: the out-now of DE's day.
    world.clock.now += defaultSettings.staleClaimMs - 10 * 60_000 + 60_000;
    await sweepStaleClaims(world.deps, far());
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(3);
    await runRequested(world, 'out-now');

    // Round given-back-1: announced again, told by round 0's out-now that it is out; no second out-now.
    expect(world.mailer.receivedBy(german.email, 'out-now')).toEqual([]);
  });
});
