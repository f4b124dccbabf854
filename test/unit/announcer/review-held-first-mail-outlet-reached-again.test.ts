import { describe, expect, it } from 'vitest';
import { announceToChangedOutlets } from '#functions/announcer/outlets-changed.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { settleFromEmailsSent, sweepStaleClaims } from '#functions/announcer/settle.ts';
import {
  aReAnnouncementHeldButSent,
  emailSent,
  far,
  meta,
  runRequested,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: a first mail held while its outlet's territory is withdrawn may
 * have gone, and once it is wanted again its late Email Sent gets the margin every claim gets
 * (staleClaimMs) before the sweep resends it, or the sweep's next run would resend a mail SES sent and
 * its Email Sent arrive after: the same announcement twice. db80fc5 counts that margin from a giving
 * back of the outlet's territories only (givenBack[].appliedAt); a release withdrawn where the outlet
 * is becomes the outlet's again too when the outlet is edited into a territory the release still
 * reaches (standingWithdrawalConcerns: no longer withdrawn for it), with no giving back recorded, and
 * the sweep resends the held mail at its next look, a minute after the edit.
 */
describe('a re-announcement held while DE is withdrawn, its outlet edited to cover GB too', () => {
  it('is not sent a second time by the sweep, its Email Sent coming after the sweep’s next run', async () => {
    const { german, world } = await aReAnnouncementHeldButSent();
    const announcements = world.mailer.receivedBy(german.email, 'announcement');
    expect(announcements).toHaveLength(2);

    // Just before the held claim (held at the sweep's time) is stale again, the label's office edits
    // the German outlet to cover GB too: the release reaches it through GB (its Outlets Changed asks
    // its first mail, which its open claim keeps it from).
    world.clock.now += defaultSettings.staleClaimMs - 30_000;
    Object.assign(world.directory.find((outlet) => outlet.id === german.id)!, { territories: ['DE', 'GB'] });
    await announceToChangedOutlets([german.id], meta, world.deps);
    await runRequested(world, 'announcement');
    // The sweep's next run, a minute after the edit, before the late Email Sent arrives.
    world.clock.now += 60_000;
    await sweepStaleClaims(world.deps, far());
    await settleFromEmailsSent([emailSent(announcements[1])], world.deps);
    await runRequested(world, 'announcement');

    // Announced, told DE was withdrawn, announced again (the mail SES sent): told nothing since.
    expect(world.mailer.receivedBy(german.email).map((m) => m.kind)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
    ]);
  });
});
