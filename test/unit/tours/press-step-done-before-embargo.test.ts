import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  announcedAgainEmbargoed,
  kindsToldDe,
  officePressStep,
  runDueSteps,
  runOnTo,
  toldDePressOf,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours (ed5bb5a): a show announced again after a hold with its `announceAt` ahead tells
 * its press nothing at its change; "its `press-announcement` schedule, firing at the embargo's end with
 * the announcement taken before, takes the `press-change` of its latest change then". The office's show
 * view states each step done once taken for the moment it is due now, a press announcement taken before
 * not while its moment is ahead. Read by stepTaken alone, which counts the announcement taken once for
 * good, whatever instant it was for, on 10 February the office read the press step of 1 March as done,
 * while the German outlet, told doors at 19:00, was still to hear of 20:00 from that very firing.
 */
describe("the office's view of a show announced again with new doors and its press embargoed", () => {
  it('does not state the press step of 1 March done before it has told the press', async () => {
    const { now, fakes, deps, tours, mailer } = await toldDePressOf(announced);

    // On hold on 3 February; announced again on 10 February, doors 20:00, press embargoed until 1 March.
    await announcedAgainEmbargoed({ now, deps, fakes }, announced);
    await runDueSteps(fakes, now);
    // The German outlet has only its first announcement (doors 19:00): 1 March is to tell it of 20:00.
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement']);

    expect(await officePressStep(tours, now)).toEqual({
      step: 'press-announcement',
      at: '2027-03-01T09:00:00.000Z',
      localTime: '2027-03-01T09:00:00 UTC',
    });

    // 1 March: the firing tells the outlet of 20:00, and the step is done.
    await runOnTo({ now, fakes }, '2027-03-01T09:00:00Z');
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement', 'press-change']);
    expect(await officePressStep(tours, now)).toMatchObject({ step: 'press-announcement', done: true });
  });
});
