import { describe, expect, it } from 'vitest';
import {
  answerLostThenInParis,
  cancelledOn11February,
  dePressSettledAgain,
  kindsToldDe,
  lateEmailSentAt,
  runOnTo,
  sweepAt,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: once noted, a held mail's follow-up "Moved", the country forgotten, "taken again
 * after a later change of the show (its Tour Press Settled delivered twice, or its stale claim swept) ...
 * writes the same mail" (d7acfb3); a cancellation goes to the countries a show left "whose press has not
 * heard that it moved". Taken again after the show's cancellation, the follow-up tells the cancellation
 * (91d4e27 leaves out only a note of the move's step, with its stay; the follow-up's own "moved" has
 * none), which the cancellation's step kept from Germany, told it moved. The German outlet's announcement
 * of show-1 (Berlin; SES sent it, its answer lost), held while on hold; announced again on 10 February at
 * the Olympia in Paris (the move's step forgets Germany); the late Email Sent: "Moved"; cancelled in Paris
 * on 11 February (its step tells France only); the Tour Press Settled delivered again: the outlet, told
 * once, hears "Moved"; told twice, "Moved" and then "Cancelled: ... in Germany".
 */
describe('a held announcement that went, its follow-up "Moved" taken again after the show was cancelled in Paris', () => {
  // An address whose note is a "moved" is told no cancellation of the show gone from that country.
  it('tells the German outlet only that the show moved, however often its follow-up is taken', async () => {
    const world = await answerLostThenInParis();
    const { now, ses, deps, fakes } = world;
    // The late Email Sent: it went; its follow-up tells the outlet that the show moved.
    await lateEmailSentAt(world, '2027-02-10T00:05:00Z');
    // 11 February: cancelled in Paris; its step tells France (Germany forgotten, its press told it moved).
    await cancelledOn11February(world);
    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-moved']);

    // The Tour Press Settled delivered again (at least once), then the due steps and a sweep.
    await dePressSettledAgain(world, '2027-02-11T00:05:00Z');
    await runOnTo({ now, fakes }, '2027-02-11T00:07:00Z');
    await sweepAt({ now, deps }, '2027-02-12T00:07:00Z');

    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-moved']);
  });
});
