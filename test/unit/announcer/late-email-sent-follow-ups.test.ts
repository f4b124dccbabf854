import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { settleFromEmailsSent } from '#functions/settlement/settle.ts';
import {
  aLabelAndItsPress,
  anAnnouncementWithItsAnswerLost,
  announce,
  emailSent,
  far,
  meta,
  moveDate,
  runRequested,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';
import { aMovedRelease } from '#test/support/releases.ts';

/**
 * A first mail the sweep found no longer wanted only because its territory was withdrawn is held open,
 * unsent (docs/design.md#exactly-once-mail): its late Email Sent shows it went, settles it, and asks
 * its follow-ups, so the outlet that read the release announced hears it was withdrawn from its
 * territory.
 */
describe('an announcement held by the sweep while its territory is withdrawn, settled by its late Email Sent', () => {
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
    // The sweep finds the German announcement not wanted while DE is withdrawn, and holds it open.
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    expect((await world.deliveries.getMany([mail.deliveryId])).get(mail.deliveryId)?.status).toBe('claimed');

    // Its late Email Sent shows it went.
    await settleFromEmailsSent([emailSent({ ...mail })], world.deps);
    await runRequested(world, 'cancellation');

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual(['announcement', 'cancellation']);
  });
});

/**
 * The follow-up a late announcement's Email Sent asks after its mark (for a follow-up mailing that ran
 * between the ask before the mark and the mark, and passed the claim still open) is published directly,
 * not through the outbox with the mark (docs/design.md#the-outbox). A publish that fails there fails the
 * batch; its retry finds the announcement marked (alreadySent) and asks nothing: the date change is lost.
 */
describe('a late announcement whose follow-up ask after its mark fails to publish', () => {
  it('still gets the outlet the date change a mailing passed it by while the event settled it', async () => {
    const { outlet, world } = await anAnnouncementWithItsAnswerLost();
    const [mail] = world.mailer.delivered;
    const batch = [emailSent({ messageId: mail.messageId, email: mail.email, deliveryId: mail.deliveryId })];

    // Between the ask before the mark (nothing to follow yet) and the mark, the label moves the date:
    // the date-change mailing passes the outlet, its announcement still claimed.
    // Then the ask after the mark fails to be put on the bus: the batch fails, SQS delivers it again.
    const mark = world.deliveries.markSentMany;
    const publish = world.deps.events.publish;
    world.deliveries.markSentMany = async (sent, at, asks) => {
      await moveDate(world, aMovedRelease('2027-04-02'));
      const marked = await mark(sent, at, asks);
      world.deps.events.publish = async () => {
        throw new Error('EventBridge refused 1 event(s): InternalFailure');
      };
      return marked;
    };
    // Nothing is published after the mark: the ask is in the outbox with it.
    expect(await settleFromEmailsSent(batch, world.deps)).toEqual([]);
    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement']);
    world.deliveries.markSentMany = mark;
    world.deps.events.publish = publish;
    await settleFromEmailsSent(batch, world.deps);

    await runRequested(world, 'date-change');
    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement', 'date-change']);
  });
});
