import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  changeAt,
  kindsToldDe,
  runDueSteps,
  toldDePressOf,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: a show's press-announcement schedule stands "while it has
 * work": its announcement not taken, or, taken past its embargo, the press-change of its latest change
 * held back by the embargo. Read as stepsDone['press-change'] !== the show's occurredAt alone, "not
 * done" holds right after every change of an announced show, before the change's own
 * press-change step (put in the outbox by the same change) has run. So each change of an announced
 * show long past its embargo (new doors, a new promoter address, anything the label sends) would put a
 * press-announcement schedule at the end of the gathering window, and its firing, an invocation of
 * its own, would find the press-change taken and do nothing: no embargo held anything back. A change that sends its
 * own press-change past the embargo keeps no firing (a tour of 200 shows whose doors move: no
 * UpsertSchedule, no idle invocation).
 */
describe('an announced show told to the German press, its embargo long over, whose doors the label moves', () => {
  it('tells the outlet "Changed" from the change\'s own step and puts no press-announcement schedule', async () => {
    const { now, fakes, deps, mailer, schedules } = await toldDePressOf(announced);
    schedules.log.length = 0;

    await changeAt({ now, deps }, '2027-02-10T00:00:00.000Z', {
      type: 'set',
      show: { ...announced, times: { ...announced.times, doors: '20:00' } },
    });
    const taken = await runDueSteps(fakes, now);

    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement', 'press-change']);
    // The change's press-change step told the outlet; nothing was left for a firing.
    expect(schedules.log.filter((entry) => entry === 'upsert show-1 press-announcement')).toEqual([]);
    expect(taken.map((due) => due.step)).not.toContain('press-announcement');
  });
});
