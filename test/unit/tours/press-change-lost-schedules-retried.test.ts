import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import {
  announcedShow as announced,
  kindsToldDe,
  metaAt,
  putOnHold,
  runDueSteps,
  runOnTo,
  stopOnceAt,
  takeStepsWritten,
  toldDePressOf,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours (ed5bb5a): a show announced again after a hold with its `announceAt` ahead tells
 * its press nothing at its change; its `press-announcement` schedule, firing at the embargo's end, takes
 * the `press-change` of its latest change then. That schedule is put in place after the show is stored
 * (performSchedules), and a change whose schedules failed is delivered again and redoes them
 * (docs/design.md#failures-and-retries, effectsPending). Redone after the embargo has ended, firingOf
 * puts an announcement taken before at the end of the gathering window while the press-change of the
 * show's latest change is not done: the change's own press-change step, run from the outbox before the
 * embargo's end, told nothing. The label announces the show again at 08:58 on 1 March, doors 20:00,
 * press at 09:00; UpsertSchedule is throttled and Lambda delivers the change again at 09:01. Given no
 * schedule then (as if its press were done), the German outlet, told doors at 19:00, never heard of 20:00.
 */
describe("a show announced again two minutes before its embargo's end, its schedules redone after it", () => {
  it('tells the German outlet "Changed" (doors 20:00) once the embargo has ended', async () => {
    const { now, fakes, deps, mailer, schedules } = await toldDePressOf(announced);

    await putOnHold({ now, deps, fakes }, announced);

    // 1 March, 08:58: announced again, doors at 20:00, its press embargoed until 09:00. The show is
    // stored (its press-change step on the bus), then the first UpsertSchedule is throttled.
    now.value = new Date('2027-03-01T08:58:00Z');
    const change = metaAt(now.value.toISOString());
    const retimed = {
      ...announced,
      announceAt: '2027-03-01T09:00:00.000Z',
      times: { ...announced.times, doors: '20:00' },
    };
    stopOnceAt(schedules, 'upsert', 'ThrottlingException');
    await expect(applyShowChange('tour-1', { type: 'set', show: retimed }, change, deps)).rejects.toThrow(
      'ThrottlingException',
    );
    // Its press-change step runs at once, before 09:00: embargoed, it tells nothing.
    now.value = new Date('2027-03-01T08:58:05Z');
    await takeStepsWritten(fakes);

    // Lambda delivers the change again at 09:01, past the embargo's end; then the day runs on.
    now.value = new Date('2027-03-01T09:01:00Z');
    expect(await applyShowChange('tour-1', { type: 'set', show: retimed }, change, deps)).toEqual({
      outcome: 'replayed',
    });
    await runDueSteps(fakes, now);
    await runOnTo({ now, fakes }, '2027-03-02T00:00:00Z');

    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement', 'press-change']);
    expect(JSON.stringify(mailer.sent.at(-1)?.data)).toContain('doors 20:00');
  });
});
