import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { settleFromEmailsSent } from '#functions/settlement/settle.ts';
import { MailerError } from '#shared/mail/ports.ts';
import {
  announce,
  emailSent,
  fakeWorld,
  far,
  meta,
  moveDate,
  runRequested,
  whileAnnouncing,
} from '#test/support/announcer-fakes.ts';
import { aMovedRelease, anOutlet, aStoredRelease } from '#test/support/releases.ts';

/**
 * The sweep's resend of a first mail asks its follow-ups with its mark, in the outbox
 * (docs/design.md#the-outbox): a follow-up mailing that passed the claim while it was resent (a date
 * moved meanwhile) is asked once the mark is committed. Asked by a publish after the mark, a failure
 * there loses it: the resend's Email Sent finds the announcement marked and asks nothing.
 */
describe('a first mail resent by the sweep whose follow-up ask fails to publish', () => {
  it('still gets the outlet the date change a mailing passed it by while it was resent', async () => {
    const outlet = anOutlet();
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    // The announcement is claimed, SES's answer lost (it took nothing): the claim stays open.
    world.mailer.script = (mail) =>
      mail.kind === 'announcement' ? new MailerError('unknown', 'the answer was lost') : (undefined as never);
    await sendMailing(announce, meta, world.deps, far()).catch(() => {});
    world.mailer.script = undefined;
    expect(world.mailer.receivedBy(outlet.email)).toEqual([]);

    // While the sweep resends it, the label moves the date: the date-change mailing passes the
    // outlet, its announcement still claimed. Then nothing can be put on the bus.
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    const publish = world.deps.events.publish;
    whileAnnouncing(world, async () => {
      await moveDate(world, aMovedRelease('2027-04-02'));
      world.deps.events.publish = async () => {
        throw new Error('EventBridge refused 1 event(s): InternalFailure');
      };
    });
    await sweepStaleClaims(world.deps, far()).catch(() => {});
    world.deps.events.publish = publish;
    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement']);

    // The resend's Email Sent finds it marked.
    const mail = world.mailer.delivered.find((m) => m.email === outlet.email)!;
    await settleFromEmailsSent(
      [emailSent({ messageId: mail.messageId, email: mail.email, deliveryId: mail.deliveryId })],
      world.deps,
    );

    await runRequested(world, 'date-change');
    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement', 'date-change']);
  });
});
