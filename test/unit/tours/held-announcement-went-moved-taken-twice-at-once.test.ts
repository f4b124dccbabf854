import { describe, expect, it } from 'vitest';
import {
  answerLostThenInParis,
  changeAt,
  dePressSettledAgain,
  kindsToldDe,
  lateEmailSentAt,
  heldInParis as paris,
  raceAt,
  runOnTo,
  sweepAt,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: once noted, a held mail's follow-up "Moved" (the country forgotten) is named by the
 * change its note names, so "taken again after a later change of the show (its Tour Press Settled
 * delivered twice ...) it writes the same mail and the outlet hears 'Moved' once" (d7acfb3). Before that
 * note is written it is named by the change it read: two deliveries taken at once, a change of the show
 * between their reads, each find no note and name another change. The German outlet's announcement of
 * show-1 (Berlin; SES sent it, its answer lost), held while on hold; announced again on 10 February at
 * the Olympia in Paris (the move's step forgets Germany); the late Email Sent on 11 February: its
 * follow-up has read the show and the notes when the label moves doors in Paris to 20:00 (its steps run)
 * and the Tour Press Settled, delivered again, is taken in full ("Moved", named by the doors' change);
 * the first follow-up then notes and mails its own "Moved", named by the move: the outlet hears it twice.
 */
describe('a held announcement that went, its follow-up "Moved" taken twice at once with a change of the show between', () => {
  // The follow-up's "moved" is noted only while the show is as it read it: refused, the take from a fresh
  // read finds the note written meanwhile and writes the same mail, named by its change.
  it('tells the German outlet that the show moved once', async () => {
    const world = await answerLostThenInParis();
    const { now, ses, deps, fakes } = world;

    // The late Email Sent on 11 February: its follow-up has read the show and the notes when doors in
    // Paris move to 20:00 (its steps run) and the Tour Press Settled delivered again is taken, before the
    // first follow-up writes its note.
    const race = raceAt(fakes.tours, 'recordPressToldAsRead', async () => {
      await changeAt({ now, deps }, '2027-02-11T00:01:00.000Z', {
        type: 'set',
        show: { ...paris, times: { ...paris.times, doors: '20:00' } },
      });
      await takeStepsWritten(fakes);
      await dePressSettledAgain(world);
    });
    await lateEmailSentAt(world, '2027-02-11T00:00:00Z');
    expect(race.raced()).toBe(true);
    race.unhook();
    await runOnTo({ now, fakes }, '2027-02-11T00:03:00Z');
    await sweepAt({ now, deps }, '2027-02-12T00:03:00Z');

    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-moved']);
  });
});
