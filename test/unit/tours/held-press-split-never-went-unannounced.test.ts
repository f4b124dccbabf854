import { describe, expect, it } from 'vitest';
import {
  announcedWithAnswersLost,
  announcedShow as berlin,
  changeAt,
  announcedInHamburg as hamburg,
  kindsToldDe,
  runDueSteps,
  stepsWritten,
  sweepAt,
  sweepsOn,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: the sweep holds a stale announcement whose shows are all on hold rather than
 * close it, "since closed, the mail that may have gone would leave the address counted as told nothing,
 * announced the show again as a mail of its own once it is on again"; a mail closed unsent "told the
 * address nothing of its shows". Once one of its shows is on again the sweep writes it as a set of its
 * own and closes the held claim (af04206 then asks the follow-up should its late Email Sent show it went).
 * When it never went, the shows still on hold then were told nothing, and once on again nothing announces
 * them: their announcement step was taken before the hold, so being announced again runs only the
 * press-change step (which tells only those told of the show) and keeps no announcement firing.
 * The German outlet's announcement of Berlin and Hamburg claimed, never sent (SES's answer lost, no Email
 * Sent ever); on 3 February both on hold, the sweep holds the claim; on 10 February Hamburg is announced
 * again and the sweep sends it as a mail of its own, closing the held claim; on 17 February Berlin is
 * announced again: the outlet never hears of Berlin.
 */
describe('a held announcement of two shows that never went, one on again before the other', () => {
  // The held claim stays held while a show of it still on hold is told nothing, so once on again the
  // sweep announces it (its rewrite leaves out Hamburg, told by the set of its own).
  it('announces Berlin to the German outlet once it is on again', async () => {
    const { now, fakes, deps, mailer, tours } = await announcedWithAnswersLost([berlin, hamburg]);
    stepsWritten(tours);
    const world = { now, deps, fakes };
    expect(mailer.ses.receivedBy('de@press.example')).toEqual([]);

    // A day later (the claim stale): both on hold; the sweep holds the claim.
    await changeAt(world, '2027-02-03T00:00:00.000Z', { type: 'set', show: { ...berlin, status: 'hold' } });
    await changeAt(world, '2027-02-03T00:00:00.000Z', { type: 'set', show: { ...hamburg, status: 'hold' } });
    await takeStepsWritten(fakes);
    await sweepAt(world, '2027-02-03T00:01:00.000Z');

    // 10 February: Hamburg announced again; the sweep sends it as a set of its own, closing the claim.
    await changeAt(world, '2027-02-10T00:00:00.000Z', { type: 'set', show: hamburg });
    await runDueSteps(fakes, now);
    await sweepsOn(world, 4);
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement']);

    // 17 February: Berlin announced again; its steps run, and the sweep runs on for a day.
    await changeAt(world, '2027-02-17T00:00:00.000Z', { type: 'set', show: berlin });
    await runDueSteps(fakes, now);
    await sweepsOn(world, 48);

    // Every press mail the outlet got (SES took it), by the venues it lists: Berlin's must be among them.
    const venues = mailer.ses.receivedBy('de@press.example').map(({ deliveryId }) => {
      const call = mailer.ses.calls.find((c) => c.entries.some((entry) => entry.deliveryId === deliveryId));
      return ['Columbiahalle', 'Docks'].filter((venue) => JSON.stringify(call).includes(venue));
    });
    expect(venues.flat()).toContain('Columbiahalle');
  });
});
