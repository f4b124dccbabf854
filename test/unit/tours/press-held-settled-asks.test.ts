import { describe, expect, it } from 'vitest';
import { emailSentAsks } from '#functions/settlement/settle.ts';
import { followUpHeldPress, sweepStaleTourMail } from '#functions/tours/resend.ts';
import { settleFromEmailsSent } from '#shared/mail/email-sent.ts';
import { detailOf, emailSent, type FakeDeliveries } from '#test/support/announcer-fakes.ts';
import {
  changeAt,
  kindsToldDe,
  pressAnnouncementSentAnswerLost,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: the late Email Sent of a press mail the sweep held asks, by the write that marks
 * it, a `Tour Press Settled` naming its country, address and shows; any other press mail's asks nothing.
 */
describe("the settling of a tour press mail's Email Sent", () => {
  it('asks nothing for an announcement the sweep never held', async () => {
    const { mail, announcement } = await pressAnnouncementSentAnswerLost();
    await settleFromEmailsSent([emailSent(announcement)], mail, emailSentAsks);
    expect((mail.deliveries as FakeDeliveries).outbox).toEqual([]);
  });

  it('asks once for a held one, whose follow-up, delivered twice, tells the cancellation once', async () => {
    const { now, mail, ses, deps, fakes, announcement } = await pressAnnouncementSentAnswerLost();
    await changeAt({ now, deps }, '2027-02-03T00:00:00.000Z', { type: 'cancel', showId: 'show-1' });
    await takeStepsWritten(fakes);
    now.value = new Date('2027-02-03T00:01:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    await settleFromEmailsSent([emailSent(announcement)], mail, emailSentAsks);
    // SES repeats the event: the mail is marked already, nothing more is asked.
    await settleFromEmailsSent([emailSent(announcement)], mail, emailSentAsks);

    const asks = (mail.deliveries as FakeDeliveries).outbox.map(detailOf);
    expect(asks.map((ask) => ask.data)).toEqual([
      { labelId: 'lbl-1', tourId: 'tour-1', country: 'DE', email: 'de@press.example', showIds: ['show-1'] },
    ]);
    await followUpHeldPress(asks[0].data, deps);
    await followUpHeldPress(asks[0].data, deps);
    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-cancellation']);
  });
});
