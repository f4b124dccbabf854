import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  changeAt,
  dePressSettledAgain,
  kindsToldDe,
  lateEmailSentAt,
  heldInParis as paris,
  pressAnnouncementSentAnswerLost,
  putOffAndHeldBySweep,
  runOnTo,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: a held announcement counts as telling nothing for a move's news (it may never
 * have gone), and its late Email Sent asks for the news of its shows; of a show moved to another country
 * since, that it moved: under the move's step's identity (the country, the show, its stay) while the
 * country is noted, so whichever of the two runs first it is told once; once the move's step has
 * forgotten the country, under the change's. The German outlet's announcement of show-1 (Berlin; SES
 * sent it, its answer lost), held while the show was on hold; announced again on 10 February at the
 * Olympia in Paris; then its Email Sent comes: it went, the outlet was told of Berlin, and hears that
 * the show moved, once.
 */
describe('a press announcement SES sent, held while its show is on hold, the show announced again in another country before its late Email Sent', () => {
  it("tells the German outlet that the show moved (the move's step first, which counts it told nothing)", async () => {
    const world = await heldThenMovedToParis();
    const { now, ses, fakes } = world;
    await runOnTo({ now, fakes }, '2027-02-10T00:02:00Z');
    expect(kindsToldDe(ses)).toEqual(['press-announcement']);

    // The announcement's Email Sent comes, late: it went.
    await lateEmailSentAt(world, '2027-02-10T00:05:00Z');

    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-moved']);
  });

  it("tells it once when the Email Sent comes before the move's step, and once more delivered after it", async () => {
    const world = await heldThenMovedToParis();
    const { now, ses, fakes } = world;
    // The Email Sent first: the follow-up tells the outlet that the show moved, as the move's step does.
    await lateEmailSentAt(world, '2027-02-10T00:00:30Z');
    // Then the move's step, which counts the outlet told of Berlin now, and forgets Germany.
    await runOnTo({ now, fakes }, '2027-02-10T00:02:00Z');
    // Its Tour Press Settled delivered again: the country forgotten, the outlet was told.
    await dePressSettledAgain(world, '2027-02-10T00:05:00Z');

    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-moved']);
  });
});

/**
 * pressAnnouncementSentAnswerLost, put on hold and held by the sweep on 3 February, then announced again
 * at the Olympia in Paris on 10 February: the change applied, its steps left on the outbox.
 */
async function heldThenMovedToParis() {
  const world = await pressAnnouncementSentAnswerLost();
  const { now, deps, fakes } = world;
  await putOffAndHeldBySweep({ now, deps, fakes }, { type: 'set', show: { ...announced, status: 'hold' } });
  await changeAt({ now, deps }, '2027-02-10T00:00:00.000Z', { type: 'set', show: paris });
  return world;
}
