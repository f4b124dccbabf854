import { describe, expect, it } from 'vitest';
import { emailSent } from '#test/support/announcer-fakes.ts';
import {
  changeAt,
  emailsSentSettled,
  heldThenInParis,
  kindsToldDe,
  pressAnnouncementSentAnswerLost,
  runOnTo,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * A held announcement's follow-up tells the cancellation of a show gone from the mail's country and
 * cancelled since, the country forgotten by the move's step, not that it moved (docs/design.md#tours).
 * The German outlet's announcement of show-1 (Berlin; SES sent it, its answer lost), held while on hold;
 * announced again on 10 February at the Olympia in Paris (the move's step counts the outlet told nothing
 * and forgets Germany); cancelled on 11 February; then the late Email Sent: the outlet, told by the mail
 * that went that the show plays in Berlin, hears "Cancelled", not "The show below has moved to Paris".
 */
describe('a held announcement that went, its show moved to Paris and then cancelled before its late Email Sent', () => {
  it('tells the German outlet that the show is cancelled, not that it moved to Paris', async () => {
    const world = await pressAnnouncementSentAnswerLost();
    const { now, mail, ses, deps, fakes, announcement } = world;
    await heldThenInParis({ now, deps, fakes });
    await changeAt({ now, deps }, '2027-02-11T00:00:00.000Z', { type: 'cancel', showId: 'show-1' });
    await takeStepsWritten(fakes);
    await runOnTo({ now, fakes }, '2027-02-11T00:02:00Z');
    expect(kindsToldDe(ses)).toEqual(['press-announcement']);

    // The announcement's Email Sent comes, late: it went.
    now.value = new Date('2027-02-11T00:05:00Z');
    await emailsSentSettled({ mail, deps }, [emailSent(announcement)]);

    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-cancellation']);
  });
});
