import { describe, expect, it } from 'vitest';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { listKept } from '#shared/db/context-lists.ts';
import {
  announcedShow as announced,
  announcedWithAnswersLost,
  aShow,
  cancelShow,
  kindsToldDe,
  setShow,
  stepsWritten,
} from '#test/support/tours.ts';

/**
 * The outlet's announcement of show-1 and show-2 claimed, SES's answer lost; a day later, the claim
 * stale, show-1 cancelled: the sweep closes the claim and announces show-2 alone, a set of its own. A
 * step of the country (show-3 announced) runs right after the sweep notes that set: it must find the
 * set's claim behind the note, or it counts the outlet told nothing of show-2 (a note naming a set with
 * no claim is one given back) and announces show-2 again beside the sweep's mail (docs/design.md#tours).
 */
describe("the stale-claim sweep's set of its own, read by a step the moment it is noted", () => {
  it('is counted told: the step announces the new show alone and the outlet hears of show-2 once', async () => {
    const other = aShow({ ...announced, showId: 'show-2', date: '2027-05-16' });
    const world = await announcedWithAnswersLost([announced, other]);
    stepsWritten(world.tours);
    world.now.value = new Date(world.now.value.getTime() + 24 * 3600_000);
    await cancelShow(world.fakes, 'show-1', world.now.value.toISOString());

    const record = world.tours.recordPressTold.bind(world.tours);
    let raced = false;
    world.tours.recordPressTold = async (labelId, tourId, country, told, asNoted) => {
      const written = await record(labelId, tourId, country, told, asNoted);
      if (raced || told.email !== 'de@press.example' || !told.stated?.['show-2']?.set) return written;
      raced = true;
      await setShow(world, { ...announced, showId: 'show-3', date: '2027-05-22' });
      return written;
    };
    await sweepStaleTourMail(world.deps, world.now.value.getTime() + 60_000);
    expect(raced).toBe(true);
    // The step's mail: show-3 alone (not an announcement of show-2 and show-3); then the sweep's, show-2.
    expect(
      world.mailer.sent
        .filter((m) => m.to.email === 'de@press.example')
        .map((m) => [m.kind, listKept(m.context.news)]),
    ).toEqual([['press-update', ['show-3']]]);
    expect(kindsToldDe(world.mailer.ses)).toEqual(['press-update', 'press-announcement']);
  });
});
