import { describe, expect, it } from 'vitest';
import {
  answerLostThenInParis,
  changeAt,
  dePressSettledAgain,
  kindsToldDe,
  lateEmailSentAt,
  heldInParis as paris,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * A held mail's follow-up tells "Moved", the move's step having forgotten the country, under the change
 * it read, and notes it without a stay; taken again after a later change of the show (a Tour Press
 * Settled delivered twice, or retried after a crash past its send) it names the change its note names,
 * so it writes the same mail and the outlet hears "Moved" once (docs/design.md#tours). The German outlet's announcement of
 * show-1 (Berlin; SES sent it, its answer lost), held while on hold; announced again on 10 February at
 * the Olympia in Paris (the move's step forgets Germany); the late Email Sent: "Moved"; on 11 February
 * doors in Paris move to 20:00; the Tour Press Settled delivered again: a second "Moved".
 */
describe('a held announcement that went, the show moved to Paris and its follow-up taken again after a later change', () => {
  it('tells the German outlet that the show moved once', async () => {
    // Held while on hold, then in Paris; the move's step counts the held mail's address told nothing,
    // and forgets Germany.
    const world = await answerLostThenInParis();
    const { now, ses, deps, fakes } = world;
    // The late Email Sent: it went; its follow-up tells the outlet that the show moved.
    await lateEmailSentAt(world, '2027-02-10T00:05:00Z');
    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-moved']);

    // 11 February: doors in Paris move to 20:00, its steps taken.
    await changeAt({ now, deps }, '2027-02-11T00:00:00.000Z', {
      type: 'set',
      show: { ...paris, times: { ...paris.times, doors: '20:00' } },
    });
    await takeStepsWritten(fakes);
    // The Tour Press Settled delivered again (at least once): the outlet was told it moved.
    await dePressSettledAgain(world, '2027-02-11T00:05:00Z');

    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-moved']);
  });
});
