import { describe, expect, it } from 'vitest';
import { emailSent } from '#test/support/announcer-fakes.ts';
import {
  emailsSentSettled,
  kindsToldDe,
  pressAnnouncementSentAnswerLost,
  putOffAndHeldBySweep,
  sweepsOn,
} from '#test/support/tours.ts';

/**
 * 8b15188 holds a stale announcement while its one show is cancelled so that its late Email Sent,
 * showing it went, finds it open and settles it sent: the outlet counts as told of the show. But the
 * cancellation's step ran while the claim was stale, and read it as told nothing (docs/design.md#tours:
 * a claim gone stale leaves the address told what it was before), so it sent the outlet no word of the
 * cancellation; nothing tells it afterwards. The outlet was announced the show and is never told it is
 * cancelled, though the steps count it told of the show. Its late Email Sent now asks for what stands
 * (docs/design.md#tours): the cancellation.
 */
describe('a press announcement SES sent (its answer lost), held while its show is cancelled, whose late Email Sent shows it went', () => {
  // Failed with [press-announcement] where [press-announcement, press-cancellation] is due, before the
  // late Email Sent of a held claim asked for the news of its shows (Tour Press Settled).
  it('is followed by the cancellation while the show stays cancelled', async () => {
    const { now, mail, ses, deps, fakes, announcement } = await pressAnnouncementSentAnswerLost();
    // A day later (the claim stale) the show is cancelled: its step tells the outlet nothing.
    // The sweep holds the announcement; then its Email Sent comes: it went.
    expect(await putOffAndHeldBySweep({ now, deps, fakes }, { type: 'cancel', showId: 'show-1' })).toEqual({
      resent: 0,
      closed: 0,
    });
    await emailsSentSettled({ mail, deps }, [emailSent(announcement)]);

    // The show stays cancelled; the sweep runs on for a day.
    await sweepsOn({ now, deps }, 48);

    // Told the show plays (the announcement went), it must hear that it is cancelled.
    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-cancellation']);
  });
});
