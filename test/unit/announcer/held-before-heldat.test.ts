import { describe, expect, it } from 'vitest';
import { defaultSettings } from '#functions/announcer/ports.ts';
import {
  aReAnnouncementHeldButSent,
  giveDeBack,
  sweptThenItsEmailSent,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: a first mail held while its outlet's territory is withdrawn may
 * have gone, and once wanted again its late Email Sent gets the margin every claim gets (staleClaimMs)
 * before the sweep resends it. Since b1ee2fe the sweep knows a claim was held as not wanted only by
 * its `heldAt`, which 13084fa introduced; a claim the sweep held before that deploy carries none (the
 * hold moved its claim time instead), and the giving back's own rule (givenBack[].appliedAt) that gave
 * such a claim its margin is gone. The German outlet's re-announcement, held before the deploy while DE
 * was withdrawn again (SES sent it, its answer lost), is resent by the first sweep after DE is given
 * back, and its late Email Sent comes after: the German outlet hears the re-announcement twice.
 */
describe('a re-announcement held (before heldAt existed) while DE is withdrawn again, DE given back', () => {
  it('is not sent a second time by the sweep a minute after the giving back', async () => {
    const { german, world, label } = await aReAnnouncementHeldButSent();
    const announcements = world.mailer.receivedBy(german.email, 'announcement');
    expect(announcements).toHaveLength(2);
    // The claim as the sweep before 13084fa held it: its claim time moved to the hold, no heldAt.
    const held = world.deliveries.items.get(announcements[1].deliveryId)!;
    expect(held.status).toBe('claimed');
    const { heldAt, ...legacy } = held;
    expect(heldAt).toBeDefined();
    world.deliveries.items.set(held.deliveryId, { ...legacy, claimedAt: heldAt!, updatedAt: heldAt! });

    // Just before it is stale again, DE is given back; the sweep runs a minute later, and the
    // re-announcement's late Email Sent arrives after it.
    world.clock.now += defaultSettings.staleClaimMs - 30_000;
    await label(giveDeBack, 'evt-given-back-again', '2026-02-04T10:00:00.000Z');
    await sweptThenItsEmailSent(world, announcements[1]);

    // Announced, told DE was withdrawn, announced again (the mail SES sent): told nothing since.
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
    ]);
  });
});
