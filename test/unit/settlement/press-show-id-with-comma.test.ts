import { describe, expect, it } from 'vitest';
import { emailSentAsks } from '#functions/settlement/settle.ts';
import type { Delivery } from '#shared/db/deliveries.ts';
import { detailOf, type FakeDeliveries } from '#test/support/announcer-fakes.ts';
import { announcedShow, pressAnnouncementSentAnswerLost } from '#test/support/tours.ts';

/**
 * The German outlet's announcement of `shows` as its claim keeps it (SES sent it, its answer lost),
 * held since by the sweep: its Email Sent, late, asks `Tour Press Settled` for its shows.
 */
async function heldAnnouncementOf(shows = [announcedShow]) {
  const { mail } = await pressAnnouncementSentAnswerLost([], shows);
  const claim = [...(mail.deliveries as FakeDeliveries).items.values()].find(
    (delivery) => delivery.subject[0] === 'tour-shows',
  ) as Delivery;
  return { ...claim, heldAt: '2027-02-03T00:01:00.000Z' };
}

const showIdsAsked = (marked: Delivery[]) =>
  emailSentAsks(marked).map((entry) => detailOf(entry).data.showIds);

/** docs/design.md#exactly-once-mail: the settling reads the shows a press mail's claim keeps, each as one id. */
describe("the settling of a held tour press mail's Email Sent", () => {
  it('asks for a show whose id holds a comma as one show', async () => {
    const held = await heldAnnouncementOf([{ ...announcedShow, showId: 'show,1' }]);
    expect(showIdsAsked([held])).toEqual([['show,1']]);
  });

  it('reads a claim written before its shows were kept as JSON as its comma-joined shows', async () => {
    const held = await heldAnnouncementOf();
    expect(showIdsAsked([{ ...held, context: { ...held.context, news: 'show-1,show-2' } }])).toEqual([
      ['show-1', 'show-2'],
    ]);
  });
});
