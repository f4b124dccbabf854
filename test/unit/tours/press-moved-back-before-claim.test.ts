import { describe, expect, it } from 'vitest';
import { takeStep } from '#functions/tours/steps.ts';
import {
  announcedShow as announced,
  changeAt,
  kindsToldDe,
  raceAt,
  runDueSteps,
  runOnTo,
  stepsWritten,
  sweepsOn,
  takeStepsWritten,
  toldDePressOf,
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
 * docs/design.md#tours: a "moved" tell "reads no show and stays unconditional" (a91861d). Its note is
 * written before its mail is claimed; a move back landing between the two has its step read that note
 * ("moved") and tell the outlet the show is back ('Changed'), and the move's mail then goes after it. The
 * German outlet told of show-1 (Berlin); on 3 February the label moves it to the Olympia in Paris; the
 * move's step notes the outlet told "moved" when, before its mail is claimed, the label moves the show
 * back to Berlin as it was and that change's steps run; the move's "Moved: no longer in Germany" then goes.
 */
/** The race above, run to its end (the due steps, a day of sweeps): the world, for what follows. */
async function movedBackBeforeTheMovesWrite() {
  const { now, fakes, deps, tours, mailer } = await toldDePressOf(announced);
  await changeAt({ now, deps }, '2027-02-03T00:00:00.000Z', { type: 'set', show: inParis });
  const moves = stepsWritten(tours).filter((due) => due.step === 'press-change');
  expect(moves).toHaveLength(1);
  // The move's step has read the outlet's notes and the show when, before its notes and its mail's claim
  // are written, the label moves the show back to Berlin, as it was, and that change's steps run.
  const race = raceAt(
    mailer,
    'send',
    async () => {
      await changeAt({ now, deps }, '2027-02-03T00:01:00.000Z', { type: 'set', show: announced });
      await takeStepsWritten(fakes);
    },
    (mails) => mails.some((mail) => mail.kind === 'press-moved'),
  );
  await takeStep(moves[0], { correlationId: 'c' }, deps);
  race.unhook();
  await runDueSteps(fakes, now);
  await sweepsOn({ now, deps }, 48);
  expect(race.raced()).toBe(true);
  return { now, fakes, deps, tours, mailer };
}

describe("a move's step whose show moves back between its note and its mail", () => {
  // The move's notes and claims are written in one write, only while the show is as the step read it:
  // refused, the step taken again finds the show back in Germany and tells nothing.
  it("leaves the German outlet's last word the show in Berlin, not that it moved", async () => {
    const { tours, mailer } = await movedBackBeforeTheMovesWrite();

    expect(
      (await tours.getShow({ labelId: 'lbl-1', tourId: 'tour-1', showId: 'show-1' }))?.show?.venue.city,
    ).toBe('Berlin');
    expect(kindsToldDe(mailer.ses).at(-1)).not.toBe('press-moved');
  });

  // The move's step forgets Germany only while the show is gone from it: back in Berlin, it stays noted.
  it("tells the German outlet 'Moved' when the show moves to Paris again", async () => {
    const { now, fakes, deps, mailer } = await movedBackBeforeTheMovesWrite();

    await changeAt({ now, deps }, '2027-02-05T00:00:00.000Z', { type: 'set', show: inParis });
    await takeStepsWritten(fakes);
    await runOnTo({ now, fakes }, '2027-02-05T00:03:00Z');

    expect(kindsToldDe(mailer.ses).at(-1)).toBe('press-moved');
  });
});
