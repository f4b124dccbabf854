import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import {
  announcedShow as announced,
  announcedWithAnswersLost,
  aShow,
  cancelShow,
  kindsToldDe,
  metaAt,
  officeGet,
  runDueSteps,
  stepsWritten,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: the sweep takes an ended mail's shows off the address's set, "each only while
 * its note still names that set", for the office's tour view. When the sweep closes a stale
 * announcement of show-1 and show-2 (show-1 cancelled since) and announces show-2 alone under a set of
 * its own, show-2's note names the new set and stands, and show-1, never told, is taken off the German
 * outlet's set (a write conditional on every note of the closed mail's set was refused whole).
 */
describe('a stale announcement of two shows closed by the sweep for a set of its own', () => {
  it("leaves the show it never told out of the office's count of outlets told, once that show is on again", async () => {
    // The German outlet's announcement of show-1 and show-2 claimed, SES's answer lost; a day later,
    // the claim stale, show-1 is cancelled (its step tells the outlet nothing).
    const other = aShow({ ...announced, showId: 'show-2', date: '2027-05-16' });
    const world = await announcedWithAnswersLost([announced, other]);
    stepsWritten(world.tours);
    world.now.value = new Date(world.now.value.getTime() + 24 * 3600_000);
    await cancelShow(world.fakes, 'show-1', world.now.value.toISOString());
    // The sweep closes the announcement unsent and announces show-2 alone.
    expect(await sweepStaleTourMail(world.deps, world.now.value.getTime() + 60_000)).toEqual({
      resent: 0,
      closed: 1,
    });
    // An hour later show-1 is set on again as it was (its steps taken: the outlet, told nothing of it,
    // hears nothing; it is announced show-1 at the country's next announcement step).
    world.now.value = new Date(world.now.value.getTime() + 3600_000);
    await applyShowChange(
      'tour-1',
      { type: 'set', show: announced },
      metaAt(world.now.value.toISOString()),
      world.deps,
    );
    await runDueSteps(world.fakes, world.now);
    // What the outlet got: the sweep's announcement of show-2 alone.
    expect(kindsToldDe(world.mailer.ses)).toEqual(['press-announcement']);

    const result = await officeGet(world, '/labels/{labelId}/tours/{tourId}', {
      labelId: 'lbl-1',
      tourId: 'tour-1',
    });

    expect(result.status, String(result.body)).toBe(200);
    const view = JSON.parse(String(result.body)) as { shows: { showId: string; outletsTold: number }[] };
    // The German outlet heard of show-2 alone.
    expect(view.shows.map((s) => [s.showId, s.outletsTold])).toEqual([
      ['show-1', 0],
      ['show-2', 1],
    ]);
  });
});
