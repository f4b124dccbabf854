import { describe, expect, it } from 'vitest';
import { settleFromEmailsSent } from '#functions/announcer/settle.ts';
import {
  aReAnnouncementClosedUnsentButSent,
  emailSent,
  giveDeBack,
  runRequested,
} from '#test/support/announcer-fakes.ts';

/**
 * The re-announcement SES sent (its answer lost) that the sweep closed unsent once DE was withdrawn
 * again: when its Email Sent comes before the next giving back, the address is not announced a third
 * time (given-back-settling.test.ts). When it comes after the next giving back's mailing, that mailing
 * took the closed claim as never sent and opened another round (given-back-2): the address, told
 * nothing since its second announcement, is announced a third time (docs/design.md#exactly-once-mail:
 * each giving back announces an address once).
 */
describe('a re-announcement closed unsent by the sweep, whose Email Sent comes after the next giving back', () => {
  it('is not announced a third time', async () => {
    const { german, world, label } = await aReAnnouncementClosedUnsentButSent();
    const announcements = world.mailer.receivedBy(german.email, 'announcement');
    expect(announcements).toHaveLength(2);

    await label(giveDeBack, 'evt-given-back-again', '2026-02-04T10:00:00.000Z');
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
