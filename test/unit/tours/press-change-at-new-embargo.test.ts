import { describe, expect, it } from 'vitest';
import { takeStep } from '#functions/tours/steps.ts';
import {
  announcedShow as announced,
  announcedAgainEmbargoed,
  kindsToldDe,
  runDueSteps,
  runOnTo,
  toldDePressOf,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: a change waits for the show's `announceAt` (`pressDue`); the show's
 * press-announcement schedule, firing at the embargo's end with the announcement taken before, takes the
 * press-change of its latest change then. The press-change step the show's change put on the bus is
 * ignored while the embargo is ahead: without that firing, the German outlet, told doors at 19:00, would
 * never hear of 20:00 (press-change-before-new-embargo.test.ts shows the scene up to the embargo).
 */
describe('a show told to the German press, put on hold, announced again with new doors and its press embargoed', () => {
  it('tells the German outlet "Changed" once, at its new announceAt', async () => {
    const { now, fakes, deps, mailer } = await toldDePressOf(announced);

    // On hold on 3 February; announced again a week later, doors at 20:00, its press embargoed until 1 March.
    const retimed = await announcedAgainEmbargoed({ now, deps, fakes }, announced);
    await runOnTo({ now, fakes }, '2027-02-10T00:05:00Z');
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement']);

    // 1 March: the press-announcement schedule fires (redelivered once too).
    const [firing] = await runOnTo({ now, fakes }, '2027-03-01T09:00:00Z');
    expect(firing).toMatchObject({ step: 'press-announcement', scheduledFor: retimed.announceAt });
    await runDueSteps(fakes, now);
    await takeStep(firing, { correlationId: 'c' }, deps);

    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement', 'press-change']);
    expect(JSON.stringify(mailer.sent.at(-1)?.data)).toContain('doors 20:00');
  });
});
