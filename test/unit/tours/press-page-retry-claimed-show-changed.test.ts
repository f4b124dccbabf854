import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import {
  announcedShow as announced,
  dePressFiringOf,
  metaAt,
  runDueSteps,
  stopOnceAt,
  sweepsOn,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * The German outlet's first press announcement of show-1 (doors 19:00) goes to SES, and the invocation
 * stops before it notes the outlet told (its notes come after its mails). The label moves doors to
 * 20:00 and that change's step runs: it reads the notes, finds the outlet told nothing and tells it
 * nothing. The announcement's event is retried: it reads the show at 20:00, writes the same mail (its
 * identity is the set of shows, not their facts), finds it claimed and sent, and notes the outlet told
 * what that mail stated (its claim keeps it: 19:00), so it tells the outlet what changed. Then whatever
 * is left due runs and the sweep looks on for a day: the doors each press mail the outlet got states,
 * in order (docs/design.md#tours).
 */
describe("a press announcement's retry finding its mail sent, the show changed since that mail", () => {
  it("leaves the German outlet's last word the doors that stand (20:00)", async () => {
    const { now, fakes, deps, tours, mailer, firing } = await dePressFiringOf(announced);
    // The invocation stops at its first note of an address, its mail sent.
    const stop = stopOnceAt(tours, 'recordPressTold', 'the invocation timed out');
    await expect(takeStep(firing, { correlationId: 'c' }, deps)).rejects.toThrow('timed out');
    expect(stop.raced()).toBe(true);
    expect(mailer.sent.map((mail) => mail.kind)).toEqual(['press-announcement']);

    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, times: { ...announced.times, doors: '20:00' } } },
      metaAt(now.value.toISOString()),
      deps,
    );
    await takeStepsWritten(fakes);
    // The announcement's event retried.
    await takeStep(firing, { correlationId: 'c' }, deps);
    await runDueSteps(fakes, now);
    await sweepsOn({ now, deps }, 48);

    // Each press mail the outlet got (SES took it), by the doors it states, in order: the last is 20:00.
    const doors = mailer.ses.receivedBy('de@press.example').map(({ deliveryId }) => {
      const call = mailer.ses.calls.find((c) => c.entries.some((entry) => entry.deliveryId === deliveryId));
      return JSON.stringify(call).match(/doors (\d\d:\d\d)/)?.[1];
    });
    expect(doors[0]).toBe('19:00');
    expect(doors.at(-1)).toBe('20:00');
  });
});
