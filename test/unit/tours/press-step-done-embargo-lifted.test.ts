import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  embargoSetOn15February,
  kindsToldDe,
  officePressStep,
  runOnTo,
  toldDePressOf,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: the office's show view states a press announcement taken for an earlier moment
 * (its embargo moved since) done only once its firing has no work left, as the firing reads it
 * (firingOf): past its announceAt, the press-change of the show's latest change done. The German outlet
 * told of show-1 (doors 19:00); on hold 3 February; announced again 10 February with doors 20:00 and
 * announceAt 1 March; on 15 February at 10:00 the label lifts the embargo (announceAt 09:00 that day).
 * Until the firing at the end of the gathering window tells the outlet of 20:00 (or, its schedule's
 * write failed, until the change is delivered again and the firing runs), the press step is not done;
 * once it has, it is. A show whose announcement went for the moment it is due now, nothing changed
 * since, states it done (no firing is left to run).
 */
describe("the office's view of a show whose press embargo the label lifts, its news still to be told", () => {
  it('does not state the press step done before the firing has told the press, and states it done after', async () => {
    // On hold 3 February; announced again 10 February, doors 20:00, announceAt 1 March. 15 February,
    // 10:00: the label lifts the embargo; its steps run, the firing is a minute ahead.
    const { now, fakes, tours, mailer } = await embargoSetOn15February(announced, '2027-02-15T09:00:00.000Z');
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement']);
    // The outlet has only doors 19:00: the press step is not done.
    expect((await officePressStep(tours, now))?.done).toBeUndefined();

    // The firing tells the outlet of 20:00: done.
    await runOnTo({ now, fakes }, '2027-02-15T10:02:00Z');
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement', 'press-change']);
    expect((await officePressStep(tours, now))?.done).toBe(true);
  });

  it('states the press step done for a show whose announcement went, nothing changed since', async () => {
    const { now, tours, mailer } = await toldDePressOf(announced);
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement']);

    expect((await officePressStep(tours, now))?.done).toBe(true);
  });
});
