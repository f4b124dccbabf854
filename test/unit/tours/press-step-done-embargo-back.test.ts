import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  embargoSetOn15February,
  kindsToldDe,
  officePressStep,
  runOnTo,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: the office's show view states a press announcement done only once its firing has no
 * work left, as the firing reads it (pressToldLatest: the press-change of the show's latest change done, or
 * the announcement itself stated that change), whatever moment it was taken for. A show whose embargo moved
 * ahead with news (doors 20:00, announceAt 1 March) and then back to its original moment with no new facts
 * is due at the moment its announcement was taken for; before the fix the view stated the step done (taken
 * for that moment) while the firing, a minute ahead, still had 20:00 to tell the German outlet, which held
 * only 19:00. It is done once the firing told it.
 */
describe("the office's view of a show whose embargo moved ahead with news and back to its first moment", () => {
  it('does not state the press step done before the firing has told the press of the news', async () => {
    // On hold 3 February; announced again 10 February, doors 20:00, announceAt 1 March. 15 February,
    // 10:00: the label sets announceAt back to 1 February 09:00 (no new facts).
    const { now, fakes, tours, mailer } = await embargoSetOn15February(announced, announced.announceAt);
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement']);
    // The outlet holds only doors 19:00, the firing a minute ahead: the press step is not done.
    expect((await officePressStep(tours, now))?.done).toBeUndefined();

    // The firing tells the outlet of 20:00 (so it had work): done.
    await runOnTo({ now, fakes }, '2027-02-15T10:02:00Z');
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement', 'press-change']);
    expect((await officePressStep(tours, now))?.done).toBe(true);
  });
});
