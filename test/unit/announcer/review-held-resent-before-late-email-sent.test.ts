import { describe, expect, it } from 'vitest';
import { settleFromEmailsSent, sweepStaleClaims } from '#functions/announcer/settle.ts';
import {
  aReAnnouncementHeldButSent,
  emailSent,
  far,
  giveDeBack,
  runRequested,
} from '#test/support/announcer-fakes.ts';

/**
 * A re-announcement SES sent (its answer lost), held by the sweep while DE was withdrawn again, whose
 * Email Sent comes only after the next giving back (docs/design.md#exactly-once-mail: "its late Email
 * Sent settles it as sent once"). The sweep runs every minute: once DE is given back, the first sweep
 * resends the held claim, so unless the late Email Sent lands in the minute between the giving back
 * and that sweep, the address hears the re-announcement SES already sent a second time.
 */
describe('a held re-announcement SES had sent, its Email Sent after the giving back and the sweep after it', () => {
  it('is not sent a second time by the sweep that follows the giving back', async () => {
    const { german, world, label } = await aReAnnouncementHeldButSent();
    const announcements = world.mailer.receivedBy(german.email, 'announcement');
    expect(announcements).toHaveLength(2);

    await label(giveDeBack, 'evt-given-back-again', '2026-02-04T10:00:00.000Z');
    await runRequested(world, 'announcement');
    // The sweep's next run, a minute after the giving back, before the late Email Sent arrives.
    world.clock.now += 60_000;
    await sweepStaleClaims(world.deps, far());
    await settleFromEmailsSent([emailSent(announcements[1])], world.deps);
    await runRequested(world, 'cancellation');
    await runRequested(world, 'announcement');

    // Announced, told DE was withdrawn, announced again (the mail SES sent): told nothing since.
    expect(world.mailer.receivedBy(german.email).map((m) => m.kind)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
    ]);
  });
});
