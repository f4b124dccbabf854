import { describe, expect, it } from 'vitest';
import { followUpHeldPress } from '#functions/tours/resend.ts';
import { emailSent } from '#test/support/announcer-fakes.ts';
import {
  changeAt,
  emailsSentSettled,
  heldThenInParis,
  kindsToldDe,
  heldInParis as paris,
  pressAnnouncementSentAnswerLost,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * A held mail's follow-up tells "Moved", the move's step having forgotten the country, under the change
 * it read, and notes it without a stay; taken again after a later change of the show (a Tour Press
 * Settled delivered twice, or retried after a crash past its send) it names the change its note names,
 * so it writes the same mail and the outlet hears "Moved" once (docs/design.md#tours). The German outlet's announcement of
 * show-1 (Berlin; SES sent it, its answer lost), held while on hold; announced again on 10 February at
 * the Olympia in Paris (the move's step forgets Germany); the late Email Sent: "Moved"; on 11 February
 * doors in Paris move to 20:00; the Tour Press Settled delivered again: a second "Moved".
 */
describe('a held announcement that went, the show moved to Paris and its follow-up taken again after a later change', () => {
  it('tells the German outlet that the show moved once', async () => {
    const world = await pressAnnouncementSentAnswerLost();
    const { now, mail, ses, deps, fakes, announcement } = world;
    // Held while on hold, then in Paris; the move's step counts the held mail's address told nothing,
    // and forgets Germany.
    await heldThenInParis({ now, deps, fakes });
    // The late Email Sent: it went; its follow-up tells the outlet that the show moved.
    now.value = new Date('2027-02-10T00:05:00Z');
    await emailsSentSettled({ mail, deps }, [emailSent(announcement)]);
    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-moved']);

    // 11 February: doors in Paris move to 20:00, its steps taken.
    await changeAt({ now, deps }, '2027-02-11T00:00:00.000Z', {
      type: 'set',
      show: { ...paris, times: { ...paris.times, doors: '20:00' } },
    });
    await takeStepsWritten(fakes);
    // The Tour Press Settled delivered again (at least once): the outlet was told it moved.
    now.value = new Date('2027-02-11T00:05:00Z');
    await followUpHeldPress(
      { labelId: 'lbl-1', tourId: 'tour-1', country: 'DE', email: 'de@press.example', showIds: ['show-1'] },
      deps,
    );

    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-moved']);
  });
});
