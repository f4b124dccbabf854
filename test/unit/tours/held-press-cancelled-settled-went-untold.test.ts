import { describe, expect, it } from 'vitest';
import { emailSent, type FakeDeliveries } from '#test/support/announcer-fakes.ts';
import {
  emailsSentSettled,
  kindsToldDe,
  pressAnnouncementSentAnswerLost,
  putOffAndHeldBySweep,
  settledWithPromoter,
  sweepsOn,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: a held press announcement's late Email Sent (a held claim the sweep closed since
 * too, af04206) asks the follow-up, and tours "then tells that address what stands now of each ...: its
 * cancellation if it was cancelled since", so "an announcement SES sent whose show was cancelled while
 * its claim was held ... is followed by that news, once". The cancellation's step counted the held mail as
 * telling nothing and told the outlet nothing, leaving it to that follow-up. A cancelled show is settled
 * with its promoter (the cancellation's guarantee): cancelled for good, its status now `settled`, and the
 * follow-up (`newsOf`) reads a settled show as one whose steps stopped for good (as a show played) and
 * tells nothing. The German outlet's announcement of show-1 (SES sent it, its answer lost); on 3 February
 * the label cancels show-1 (its step tells nobody), the sweep holds the mail; on 3 February at 12:00 the
 * cancelled show is settled with the promoter, and the sweep's next look closes the held claim; the
 * Email Sent then comes, late (it went), its record asks the follow-up: the outlet, told the show is on
 * by the mail that went, never hears it is cancelled, and nothing later tells it.
 */
describe('a held press announcement that went, its show cancelled and then settled before its late Email Sent', () => {
  // The follow-up reads a cancelled show settled since as cancelled for good, not as a show played, and
  // tells the cancellation its step left to it.
  it("is followed by the show's cancellation", async () => {
    const { now, mail, ses, deps, fakes, announcement } = await pressAnnouncementSentAnswerLost();
    const world = { now, deps, fakes };

    // A day later (the claim stale) the label cancels show-1: its step counts the stale claim as telling
    // nothing and mails nothing; a minute later the sweep holds the claim (its show cancelled, for now).
    await putOffAndHeldBySweep(world, { type: 'cancel', showId: 'show-1' });

    // Noon: the cancelled show is settled with its promoter (its guarantee); the sweep looks again.
    await settledWithPromoter(world, '2027-02-03T12:00:00.000Z');
    await sweepsOn(world, 2);
    // The held claim is closed (its show settled: stopped for good), unsent.
    expect((mail.deliveries as FakeDeliveries).of('failed').map((d) => d.kind)).toEqual([
      'press-announcement',
    ]);

    // The first mail's Email Sent comes, late: it went. Its record asks the follow-up; the sweep runs on.
    await emailsSentSettled({ mail, deps }, [emailSent(announcement)]);
    await sweepsOn(world, 48);

    // Told the show is on by the mail that went, the outlet must hear that it is cancelled.
    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-cancellation']);
  });
});
