import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { announceToChangedOutlets } from '#functions/announcer/outlets-changed.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import {
  aLabelAndItsPress,
  announce,
  aReAnnouncementHeldButSent,
  far,
  givenBackItsAnswerLost,
  meta,
  sweptThenItsEmailSent,
  withdrawDe,
  withdrawnAgainAndSwept,
} from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails } from '#test/support/releases.ts';

/**
 * docs/design.md#exactly-once-mail: a first mail held while its outlet's territory is withdrawn may
 * have gone, and once it is wanted again its late Email Sent gets the margin every claim gets
 * (staleClaimMs) before the sweep resends it, or the sweep's next run would resend a mail SES sent and
 * its Email Sent arrive after: the same announcement twice. Not only a giving back makes it wanted
 * again: a release withdrawn where the outlet is becomes the outlet's again too when the outlet is
 * edited into a territory the release still reaches (standingWithdrawalConcerns: no longer withdrawn
 * for it), with no giving back recorded. The margin counts from the sweep that finds it wanted again,
 * whatever made it so.
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
    // The sweep's next run, a minute after the edit, before the late Email Sent arrives.
    await sweptThenItsEmailSent(world, announcements[1]);

    // Announced, told DE was withdrawn, announced again (the mail SES sent): told nothing since.
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
    ]);
  });
});

/**
 * The same through the release: an outlet in DE and AT, DE withdrawn again while its re-announcement
 * is held; the label adds AT to the release, which reaches the outlet again through AT (no giving back:
 * DE stays withdrawn), and the sweep resends the held re-announcement at its next look.
 */
describe('a re-announcement held while DE is withdrawn, the release widened to AT where its outlet also is', () => {
  it('is not sent a second time by the sweep, its Email Sent coming after the sweep’s next run', async () => {
    const german = anOutlet({ kind: 'press', territories: ['DE', 'AT'] });
    const { release, world, store, label } = aLabelAndItsPress(['GB', 'DE'], [german]);
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    // DE given back: SES sends the re-announcement, its answer lost (its claim open).
    await givenBackItsAnswerLost({ world, label });
    const announcements = world.mailer.receivedBy(german.email, 'announcement');
    expect(announcements).toHaveLength(2);
    // DE withdrawn again; the sweep holds the re-announcement (at its time).
    await withdrawnAgainAndSwept({ world, label });
    expect(world.deliveries.items.get(announcements[1].deliveryId)?.status).toBe('claimed');

    // Just before it is stale again, the label adds AT: the release reaches the outlet through AT.
    world.clock.now += defaultSettings.staleClaimMs - 30_000;
    await label(
      { type: 'Release Updated', details: aReleaseDetails({ territories: ['GB', 'AT'] }) },
      'evt-widened',
      '2026-02-04T10:00:00.000Z',
    );
    await sweptThenItsEmailSent(world, announcements[1]);

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
    ]);
  });
});
