import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { settleFromEmailsSent, sweepStaleClaims } from '#functions/announcer/settle.ts';
import {
  aLabelAndItsPress,
  announce,
  emailSent,
  far,
  meta,
  runRequested,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';

/**
 * A first mail the sweep closed unsent (no longer wanted) whose late Email Sent shows it went reached
 * its address (wentOut, docs/design.md#exactly-once-mail); the follow-ups go after first mails marked
 * sent only (firstMailsOf / recipientsOn), and its settling asks none: the outlet read the release
 * announced and never hears it was withdrawn from its territory.
 */
describe('an announcement closed unsent by the sweep and shown sent by its late Email Sent', () => {
  it('is followed by the withdrawal of the outlet’s territory that passed it', async () => {
    const { german, release, world, store, label } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    // SES accepts the announcement, its answer is lost: the claims stay open.
    world.mailer.script = (mail) =>
      mail.kind === 'announcement' ? 'accept-then-fail' : (undefined as never);
    await sendMailing(announce, meta, world.deps, far()).catch(() => {});
    world.mailer.script = undefined;
    const [mail] = world.mailer.receivedBy(german.email, 'announcement');
    // DE is withdrawn: the withdrawal's mailing passes the German outlet, its announcement still claimed.
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    // The sweep finds the German announcement no longer wanted and closes it unsent.
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    expect((await world.deliveries.getMany([mail.deliveryId])).get(mail.deliveryId)?.status).toBe('failed');

    // Its late Email Sent shows it went.
    await settleFromEmailsSent([emailSent({ ...mail })], world.deps);
    await runRequested(world, 'cancellation');

    expect(world.mailer.receivedBy(german.email).map((m) => m.kind)).toEqual([
      'announcement',
      'cancellation',
    ]);
  });
});
