import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import {
  announcedShow as announced,
  changeAt,
  kindsToldDe,
  metaAt,
  runDueSteps,
  runOnTo,
  toldDePressOf,
} from '#test/support/tours.ts';

/** The venue of `announced`, moved to Paris. */
const paris = { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' };

/**
 * docs/design.md#tours: a show moved back to a country it left is news there as a change, not an
 * announcement (the addresses' notes still name the show), and like all press of the show that news
 * waits for its announceAt: the show's press-announcement schedule, firing at the embargo's end with the
 * announcement taken before, takes the press-change of its latest change then (ed5bb5a). A move
 * forgets the announcement taken (it is due again in the new country), so moved back with its
 * announceAt ahead, the firing finds no announcement taken and announces the show to those not told of
 * it: the German outlet, whose note still names it (told it moved to Paris), hears nothing of Berlin.
 */
describe('a show told to the German press, moved to Paris, then back to Berlin with its press embargoed', () => {
  it('tells the German outlet "Changed" (Berlin again) once, at its new announceAt', async () => {
    const { now, fakes, deps, mailer } = await toldDePressOf(announced);
    await changeAt({ now, deps }, '2027-02-03T00:00:00.000Z', {
      type: 'set',
      show: { ...announced, venue: paris },
    });
    await runDueSteps(fakes, now);

    // Back in Berlin a week later, its press embargoed until 1 March.
    now.value = new Date('2027-02-10T00:00:00Z');
    const back = { ...announced, announceAt: '2027-03-01T09:00:00.000Z' };
    await applyShowChange('tour-1', { type: 'set', show: back }, metaAt(now.value.toISOString()), deps);
    await runDueSteps(fakes, now);
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement', 'press-moved']);

    // 1 March: the press-announcement schedule fires.
    await runOnTo({ now, fakes }, '2027-03-01T09:00:00Z');
    await runDueSteps(fakes, now);

    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement', 'press-moved', 'press-change']);
    expect(JSON.stringify(mailer.sent.at(-1)?.data)).toContain('Berlin');
  });
});
