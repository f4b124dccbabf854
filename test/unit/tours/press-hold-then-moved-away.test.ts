import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  changeAt,
  kindsToldDe,
  putOnHold,
  runDueSteps,
  toldDePressOf,
} from '#test/support/tours.ts';

const paris = { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' };

/**
 * docs/design.md#tours: a show moved to another country is news to the press of each country it left
 * ("every press-change ... tells the addresses of each noted country that is no longer the show's that it
 * moved"). A show put on hold (the sweep now holds its stale announcements, 8b15188) and announced again
 * in another country gets no press-change: the change from hold writes one only when the show was
 * announced or cancelled before it, so the German press, told the show plays in Berlin, never hears it
 * moved to Paris.
 */
describe('a show announced in Germany, put on hold, then announced again in Paris', () => {
  it('tells the German outlet told of it that it moved', async () => {
    const { now, fakes, deps, mailer } = await toldDePressOf(announced);

    await putOnHold({ now, deps, fakes }, announced);
    await changeAt({ now, deps }, '2027-02-10T00:00:00.000Z', {
      type: 'set',
      show: { ...announced, venue: paris },
    });
    await runDueSteps(fakes, now);

    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement', 'press-moved']);
  });
});
