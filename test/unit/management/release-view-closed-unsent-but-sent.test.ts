import { describe, expect, it } from 'vitest';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { countMail, deliveryRows } from '#functions/management/releases.ts';
import { settleFromEmailsSent } from '#functions/settlement/settle.ts';
import { aReAnnouncementHeldButSent, emailSent, far } from '#test/support/announcer-fakes.ts';

describe('the release view of a re-announcement closed unsent by the sweep that SES had sent', () => {
  it('counts it as sent once its late Email Sent shows it went, not as failed', async () => {
    // SES sends the re-announcement, its answer lost; DE is withdrawn again (the sweep holds it), then
    // the release is cancelled: the next sweep closes it as no longer wanted, and its Email Sent comes after.
    const { german, world, label } = await aReAnnouncementHeldButSent();
    await label(
      { type: 'Release Cancelled', releaseId: 'rel-night-drive' },
      'evt-cancelled',
      '2026-02-04T10:00:00.000Z',
    );
    // Held at the sweep's time, the sweep looks at it again once stale again (docs/design.md#exactly-once-mail).
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    const announcements = world.mailer.receivedBy(german.email, 'announcement');
    expect(world.deliveries.of('failed')).toHaveLength(1);
    await settleFromEmailsSent([emailSent(announcements[1])], world.deps);

    // The German outlet received both announcements: the label's view says so.
    const theirs = [...world.deliveries.items.values()].filter((d) => d.context.outletId === german.id);
    expect(countMail(theirs).announcement).toMatchObject({ sent: 2, failed: 0 });
    const [reAnnounced] = deliveryRows(theirs, new Map()).filter(
      (row) => row.kind === 'announcement' && row.revision !== undefined,
    );
    expect(reAnnounced).toMatchObject({ status: 'sent', messageId: announcements[1].messageId });
  });
});
