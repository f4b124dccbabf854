import { describe, expect, it } from 'vitest';
import {
  answerLostThenInParis,
  cancelledOn11February,
  changeAt,
  kindsToldDe,
  lateEmailSentAt,
  heldInParis as paris,
  runOnTo,
  sweepsOn,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: of a show moved to Paris, the country forgotten, and cancelled before the late
 * Email Sent, the held announcement's follow-up tells "Cancelled" (91d4e27); a cancelled show the label
 * sets on again is news for those told of its cancellation. The follow-up tells the cancellation in a
 * country the show's record has forgotten, and notes no country: set on again in Paris, the show's step
 * tells France only, and the German outlet's last word is "Cancelled" of a show that is on. The German
 * outlet's announcement of show-1 (Berlin; SES sent it, its answer lost), held while on hold; announced
 * again on 10 February at the Olympia in Paris (the move's step forgets Germany); cancelled on 11
 * February; the late Email Sent: "Cancelled"; set on again in Paris on 12 February: its steps, the due
 * steps and a day of sweeps run, and the outlet hears nothing more.
 */
describe('a held announcement that went, its show moved to Paris, cancelled, told so by the follow-up, and set on again', () => {
  // The follow-up that tells "Cancelled" notes Germany again, so the on-again's step tells the outlet it moved.
  it("does not leave the German outlet's last word 'Cancelled' of a show that is on", async () => {
    const world = await answerLostThenInParis();
    const { now, ses, deps, fakes } = world;
    await cancelledOn11February(world);
    await runOnTo({ now, fakes }, '2027-02-11T00:02:00Z');
    // The announcement's Email Sent comes, late: it went; its follow-up tells the cancellation.
    await lateEmailSentAt(world, '2027-02-11T00:05:00Z');
    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-cancellation']);

    // 12 February: set on again in Paris; its steps, the due steps and a day of sweeps run.
    await changeAt({ now, deps }, '2027-02-12T00:00:00.000Z', { type: 'set', show: paris });
    await takeStepsWritten(fakes);
    await runOnTo({ now, fakes }, '2027-02-12T00:02:00Z');
    await sweepsOn({ now, deps }, 48);

    expect(kindsToldDe(ses).at(-1)).not.toBe('press-cancellation');
  });
});
