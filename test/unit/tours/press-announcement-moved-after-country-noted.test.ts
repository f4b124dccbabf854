import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import {
  announcedShow as announced,
  dePressFiringOf,
  kindsToldDe,
  metaAt,
  raceAt,
  runDueSteps,
  sweepsOn,
  takeStepsWritten,
} from '#test/support/tours.ts';

const inParis = {
  ...announced,
  venue: {
    name: 'Olympia',
    address: '28 Bd des Capucines',
    city: 'Paris',
    country: 'FR',
    timeZone: 'Europe/Paris',
  },
};

/**
 * docs/design.md#tours: once it has noted the addresses, the announcement step reads its shows again and
 * tells a show changed since its read "as that step tells it (... that it moved ...)"; a show moved away
 * whose move's step read the notes before them (told nobody and forgot the country) it tells moved
 * itself, from the stay it noted. The German outlet first hears of show-1 (Berlin) at the end of the
 * gathering window; the announcement step has noted DE on the show and is about to mail when the label
 * moves the show to the Olympia in Paris and that change's steps run (the outlet told nothing yet, DE
 * forgotten). Before the fix the outlet's only word was the Berlin show; it hears 'Moved' after it.
 */
describe('the first press announcement of a show moved away after it noted the country', () => {
  it("tells the German outlet 'Moved' after the announcement", async () => {
    // The end of the gathering window: the announcement fires and has noted DE on the show when, before
    // its mails, the label moves the show to Paris and that change's steps run.
    const { now, fakes, deps, tours, mailer, firing } = await dePressFiringOf(announced);
    const race = raceAt(
      mailer,
      'send',
      async () => {
        await applyShowChange(
          'tour-1',
          { type: 'set', show: inParis },
          metaAt(now.value.toISOString()),
          deps,
        );
        await takeStepsWritten(fakes);
      },
      (mails) => mails.some((mail) => mail.kind === 'press-announcement'),
    );

    await takeStep(firing, { correlationId: 'c' }, deps);
    race.unhook();
    // Whatever is left due runs, and the sweep looks on for a day.
    await runDueSteps(fakes, now);
    await sweepsOn({ now, deps }, 48);

    expect(race.raced()).toBe(true);
    expect(
      (await tours.getShow({ labelId: 'lbl-1', tourId: 'tour-1', showId: 'show-1' }))?.show?.venue.city,
    ).toBe('Paris');
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement', 'press-moved']);
  });
});
