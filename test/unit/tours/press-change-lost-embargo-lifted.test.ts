import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  announcedAgainEmbargoed,
  changeAt,
  kindsToldDe,
  runDueSteps,
  runOnTo,
  toldDePressOf,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: a show announced again after a hold with its `announceAt` ahead tells its
 * press nothing at its change, "and its `press-announcement` schedule, firing at the embargo's end with
 * the announcement taken before, takes the `press-change` of its latest change then" (ed5bb5a). The
 * label may end the embargo early: a later change sets `announceAt` to an instant already past. That
 * change states nothing the press is told of (same date, times, venue: no press-change); the
 * announcement, taken before, keeps its schedule (at the end of the gathering window: firingOf) while
 * the press-change of the show's latest change is not done. Given none (past its embargo and taken),
 * the one schedule that was to tell the press was deleted, and the German outlet, told doors at 19:00,
 * never heard of 20:00; before ed5bb5a it heard at once.
 */
describe('a show told to the German press, on hold, announced again with new doors and its press embargoed, the embargo then lifted', () => {
  it('tells the German outlet "Changed" (doors 20:00) once the embargo is lifted', async () => {
    const { now, fakes, deps, mailer } = await toldDePressOf(announced);

    // On hold on 3 February; announced again on 10 February, doors 20:00, press embargoed until 1 March.
    const retimed = await announcedAgainEmbargoed({ now, deps, fakes }, announced);
    await runOnTo({ now, fakes }, '2027-02-10T00:05:00Z');
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement']);

    // 15 February, 10:00: the label lifts the embargo (announceAt 09:00 that morning, already past).
    await changeAt({ now, deps }, '2027-02-15T10:00:00.000Z', {
      type: 'set',
      show: { ...retimed, announceAt: '2027-02-15T09:00:00.000Z' },
    });
    await runDueSteps(fakes, now);
    // Whatever was scheduled fires by 2 March (the old embargo's end included).
    await runOnTo({ now, fakes }, '2027-03-02T00:00:00Z');

    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement', 'press-change']);
    expect(JSON.stringify(mailer.sent.at(-1)?.data)).toContain('doors 20:00');
  });
});
