import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import {
  announcedShow as announced,
  dePressFiringOf,
  metaAt,
  raceAt,
  runDueSteps,
  sweepsOn,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * The German outlet's first press announcement of show-1 (doors 19:00) fires at the end of the gathering
 * window; just before its step's first call of `raced` on the tours store, the label moves doors to 20:00
 * and that change's steps run. Then whatever is left due runs, and the sweep looks on for a day: the
 * doors each press mail the outlet got states, in order.
 */
async function announcementRacedBefore(raced: 'pressTold' | 'recordPressCountry') {
  const { now, fakes, deps, tours, mailer, firing } = await dePressFiringOf(announced);
  const race = raceAt(tours, raced, async () => {
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, times: { ...announced.times, doors: '20:00' } } },
      metaAt(now.value.toISOString()),
      deps,
    );
    await takeStepsWritten(fakes);
  });
  await takeStep(firing, { correlationId: 'c' }, deps);
  expect(race.raced()).toBe(true);
  race.unhook();
  await runDueSteps(fakes, now);
  await sweepsOn({ now, deps }, 48);

  return mailer.ses.receivedBy('de@press.example').map(({ deliveryId }) => {
    const call = mailer.ses.calls.find((c) => c.entries.some((entry) => entry.deliveryId === deliveryId));
    return JSON.stringify(call).match(/doors (\d\d:\d\d)/)?.[1];
  });
}

/**
 * docs/design.md#tours: "Outlets told of an announced show hear of a new date, times or venue once per
 * change", and (a387196) a step that read the show before a later change's step told an address does
 * not leave it the older word: "the latest word stands". a387196 closes that window for the change and
 * cancellation steps, the sweep and the follow-up, by the address's note of the later change; the
 * announcement step has the same window (it reads the shows, then the notes, mails, and only then notes
 * what it told, a page at a time), and a change landing in it finds the address not yet noted, so its
 * step tells it nothing and notes nothing, and no firing is left to tell it (the change sends a
 * press-change of its own, 87b1eb8, and that step is done). The German outlet first hears of show-1
 * (doors 19:00) at the end of the gathering window; the announcement step has read the show when the
 * label moves doors to 20:00 and that change's step runs; the announcement then mails doors 19:00 and
 * notes it: the outlet's only word is 19:00 for a show at 20:00.
 */
describe('the first press announcement of a show racing a change of its doors', () => {
  // The announcement step reads the shows after the notes: a change whose step ran meanwhile (telling
  // the address nothing, not yet noted) is announced as it stands.
  it("leaves the German outlet's last word the doors that stand (20:00)", async () => {
    const doors = await announcementRacedBefore('pressTold');

    // Each press mail the outlet got (SES took it), by the doors it states, in order: the last is 20:00.
    expect(doors.length).toBeGreaterThan(0);
    expect(doors.at(-1)).toBe('20:00');
  });
});

/**
 * docs/design.md#tours: "Outlets told of an announced show hear of a new date, times or venue once per
 * change", and the latest word stands. 2722f41 has the announcement step read the shows after the
 * addresses' notes, so a change whose step ran before that read is announced as it stands; but the
 * step notes what it told only after its mails, so a change landing after its read of the shows and
 * before those notes still finds the address not yet noted: its step tells it nothing and notes
 * nothing, no firing is left (87b1eb8), and the announcement mails the doors it read. The German outlet
 * first hears of show-1 (doors 19:00) at the end of the gathering window; the announcement step has
 * read the notes and the show, and is noting the country before its mails, when the label moves doors to
 * 20:00 and that change's steps run; the announcement then mails doors 19:00 and notes it: the
 * outlet's only word is 19:00 for a show at 20:00.
 */
describe('the first press announcement of a show, its doors changed after it read the show', () => {
  // The announcement step reads its shows again after its notes: a show changed since its read (its
  // change's step run before the notes, telling nothing) is told to those addresses as it stands.
  it("leaves the German outlet's last word the doors that stand (20:00)", async () => {
    const doors = await announcementRacedBefore('recordPressCountry');

    // Each press mail the outlet got (SES took it), by the doors it states, in order: the last is 20:00.
    expect(doors.length).toBeGreaterThan(0);
    expect(doors.at(-1)).toBe('20:00');
  });
});
