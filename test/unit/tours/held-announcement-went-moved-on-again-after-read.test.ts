import { describe, expect, it } from 'vitest';
import {
  answerLostThenInParis,
  kindsToldDe,
  lateEmailSentRacedByParis,
  heldInParis as paris,
  putOnHold,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: of a show gone from the mail's country, the country forgotten by the move's step,
 * and on hold at the late Email Sent, "the follow-up tells nothing and notes the country again (its stay
 * from then), so the move's step tells the outlet 'Moved' once the show is announced again" (d6b25dd).
 * The follow-up notes the country from the show it read, with no read after: a show announced again
 * between that read and the note has its move's step find the country not noted and tell Germany
 * nothing, and the note then names a stay no step tells. The German outlet's announcement of show-1
 * (Berlin; SES sent it, its answer lost), held while on hold; announced again on 10 February at the
 * Olympia in Paris (the move's step forgets Germany); on hold again on 11 February; the late Email Sent
 * on 12 February: its follow-up has read the show on hold when the label announces it again in Paris and
 * that change's steps run; the follow-up then notes Germany. Due steps and a day of sweeps add nothing:
 * the outlet's last word is "live in Germany", Berlin.
 */
describe('a held announcement that went, its show on hold in Paris announced again just after its follow-up read it', () => {
  // The follow-up notes Germany only while the show is as it read it: refused, it is taken again from a
  // fresh read, which tells the outlet the show moved.
  it('tells the German outlet that the show moved', async () => {
    const world = await answerLostThenInParis();
    const { now, ses, deps, fakes } = world;
    await putOnHold({ now, deps, fakes }, paris, '2027-02-11T00:00:00.000Z');

    // The late Email Sent on 12 February: its follow-up has read the show (on hold) when the label
    // announces it again in Paris and that change's steps run, before the follow-up notes Germany.
    // Whatever the change left due runs, and the sweep looks, a day on.
    expect(await lateEmailSentRacedByParis(world, 'recordPressCountry')).toBe(true);

    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-moved']);
  });
});
