import { describe, expect, it } from 'vitest';
import { takeStep } from '#functions/tours/steps.ts';
import {
  announcedShow as announced,
  changeAt,
  runOnTo,
  stepsWritten,
  stopOnceAt,
  sweepAt,
  takeStepsWritten,
  toldDePressOf,
} from '#test/support/tours.ts';

const paris = {
  ...announced,
  venue: {
    name: 'Olympia',
    address: '28 Boulevard des Capucines',
    city: 'Paris',
    country: 'FR',
    timeZone: 'Europe/Paris',
  },
};

/**
 * docs/design.md#tours: what each address is told is "noted on the address before the mail goes ... a mail
 * that went with its step unrecorded (the function stopped) is known to the next change's step"; a
 * cancellation goes to each country a show left "whose press has not heard that it moved". d852a80 leaves
 * out of every step's cancellation an address whose note is a "moved", whether or not that mail went. The
 * German outlet told of show-1 in Berlin; on 10 February it moves to the Olympia in Paris: the move's step
 * notes the outlet "moved" and stops before its mails (none claimed; Germany still noted); on 11 February
 * the show is cancelled in Paris: its step tells Germany, leaving out the outlet (its note a "moved"); the
 * move's step taken again, a sweep and the due steps: the outlet's last word is its announcement of a show
 * in Berlin that is cancelled (with the filter before d852a80 it hears "Cancelled").
 */
describe('a move whose step stopped after its notes, before its mails, the show then cancelled in Paris', () => {
  // The move's notes are written with its mails' claims: stopped before that write, the outlet's note is
  // its announcement, and the cancellation's step tells it.
  it('tells the German outlet that the show is cancelled', async () => {
    const { now, fakes, deps, mailer } = await toldDePressOf(announced);
    // The move's step stops before its mails: none is claimed.
    const stop = stopOnceAt(mailer, 'send', 'the step stopped here', (mails) =>
      mails.some((m) => m.kind === 'press-moved'),
    );
    await changeAt({ now, deps }, '2027-02-10T00:00:00.000Z', { type: 'set', show: paris });
    const stopped: ReturnType<typeof stepsWritten> = [];
    for (const step of stepsWritten(fakes.tours))
      await takeStep(step, { correlationId: 'c' }, deps).catch(() => stopped.push(step));
    expect(stop.raced()).toBe(true);
    expect(mailer.sent.filter((m) => m.to.email === 'de@press.example').map((m) => m.kind)).toEqual([
      'press-announcement',
    ]);

    // 11 February: cancelled in Paris; its steps, the move's step taken again, a sweep and the due steps.
    await changeAt({ now, deps }, '2027-02-11T00:00:00.000Z', { type: 'cancel', showId: 'show-1' });
    await takeStepsWritten(fakes);
    for (const step of stopped) await takeStep(step, { correlationId: 'c' }, deps);
    await runOnTo({ now, fakes }, '2027-02-11T00:03:00Z');
    await sweepAt({ now, deps }, '2027-02-12T00:03:00Z');
    await runOnTo({ now, fakes }, '2027-02-12T00:04:00Z');

    expect(mailer.sent.filter((m) => m.to.email === 'de@press.example').at(-1)?.kind).toBe(
      'press-cancellation',
    );
  });
});
