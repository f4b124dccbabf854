import { describe, expect, it } from 'vitest';
import { settleFromEmailsSent } from '#functions/announcer/settle.ts';
import {
  anAnnouncementWithItsAnswerLost,
  emailSent,
  moveDate,
  runRequested,
} from '#test/support/announcer-fakes.ts';
import { aMovedRelease } from '#test/support/releases.ts';

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
    expect(world.mailer.receivedBy(outlet.email).map((m) => m.kind)).toEqual(['announcement']);
    world.deliveries.markSentMany = mark;
    world.deps.events.publish = publish;
    await settleFromEmailsSent(batch, world.deps);

    await runRequested(world, 'date-change');
    expect(world.mailer.receivedBy(outlet.email).map((m) => m.kind)).toEqual(['announcement', 'date-change']);
  });
});
