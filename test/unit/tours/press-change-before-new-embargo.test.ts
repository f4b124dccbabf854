import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  announcedAgainEmbargoed,
  kindsToldDe,
  runOnTo,
  toldDePressOf,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: "Press for a show waits for its `announceAt`"; a held announcement of a show
 * announced again with its press embargoed is held until that embargo ends (186369f, pressDue). 7cd1023
 * writes a press-change, due at once, for a show announced again after a hold when some press was told
 * of it; the press-change step reads only isAnnounced, not pressDue. So the German outlet, told of the
 * show (doors 19:00), then the show put on hold and announced again with new doors and its press
 * embargoed to 1 March, hears "Changed" (doors 20:00) on 10 February, weeks before the embargo.
 */
describe('a show told to the German press, put on hold, announced again with its press embargoed (7cd1023)', () => {
  it('tells the German outlet nothing of it before its new announceAt', async () => {
    const { now, fakes, deps, mailer } = await toldDePressOf(announced);

    // On hold on 3 February; announced again a week later, doors at 20:00, its press embargoed until 1 March.
    await announcedAgainEmbargoed({ now, deps, fakes }, announced);
    await runOnTo({ now, fakes }, '2027-02-10T00:05:00Z');

    // 10 February, its press embargoed until 1 March: the outlet still has only its first announcement.
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement']);
  });
});
