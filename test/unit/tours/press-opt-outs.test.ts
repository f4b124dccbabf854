import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import {
  announcedWithAnswersLost,
  aPressOutlet,
  announcedShow as berlin,
  cancelShow,
  fakeToursDeps,
  kindsToldDe,
  metaAt,
  putOffAndHeldBySweep,
  ref,
  runDueSteps,
  stepsWritten,
  toldDePressOf,
  tourOf,
} from '#test/support/tours.ts';

/**
 * tour press is campaign mail (one-click unsubscribe); an outlet that unsubscribed after the
 * press announcement must get no further press mail (cancellation, change, moved), is not counted
 * among those told (the show's press countries), and its stale claims are closed, not held. The tours
 * function asks the suppression list itself (`optedOutAmong`) before it writes what it tells, as the
 * mail module does again before each claim (docs/design.md#two-mail-streams).
 */
describe('tour press after a one-click unsubscribe', () => {
  it('sends no press cancellation to an outlet that unsubscribed after the announcement', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const { deps, mailer, outlets, tours } = fakeToursDeps(now);
    outlets.push(aPressOutlet('de', ['DE']));
    await bookTour({ ...tourOf([berlin]), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), deps);
    await takeStep(
      { ...ref(), step: 'press-announcement', scheduledFor: '2027-02-01T09:00:00.000Z' },
      { correlationId: 'c' },
      deps,
    );
    expect(mailer.sent.map((m) => [m.to.email, m.kind])).toEqual([
      ['de@press.example', 'press-announcement'],
    ]);

    // The outlet clicks the one-click unsubscribe link of that press mail (POST /u): the directory
    // now has it unsubscribed, as markUnsubscribed leaves it.
    outlets[0] = { ...outlets[0], unsubscribedAt: '2027-02-03T00:00:00.000Z' };

    await cancelShow({ deps, tours }, 'show-1', '2027-02-04T00:00:00Z');

    expect(mailer.sent.map((m) => [m.to.email, m.kind])).toEqual([
      ['de@press.example', 'press-announcement'],
    ]);
  });

  it('tells it nothing of a show moved back to Berlin after it was told the show moved away, and Germany is not noted as told', async () => {
    const { now, fakes, deps, mailer, outlets, tours } = await toldDePressOf(berlin);
    const set = async (show: typeof berlin) => {
      now.value = new Date(now.value.getTime() + 3600_000);
      await applyShowChange('tour-1', { type: 'set', show }, metaAt(now.value.toISOString()), deps);
      await runDueSteps(fakes, now);
    };
    await set({
      ...berlin,
      venue: { ...berlin.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' },
    });
    outlets[0] = { ...outlets[0], unsubscribedAt: now.value.toISOString() };

    await set(berlin);

    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement', 'press-moved']);
    // The countries whose press was told of the show: its move back told Germany's nobody.
    expect((await tours.getShow(ref()))?.pressCountries).toEqual({});
  });

  it('has the sweep close, not hold, its stale announcement of a show put on hold since', async () => {
    // Its announcement claimed, SES's answer lost (nothing sent); then it unsubscribes.
    const world = await announcedWithAnswersLost([berlin]);
    stepsWritten(world.tours);
    world.outlets[0] = { ...world.outlets[0], unsubscribedAt: '2027-02-02T12:00:00.000Z' };

    // A day later (the claim stale) the show is put on hold; the sweep looks.
    const swept = await putOffAndHeldBySweep(world, { type: 'set', show: { ...berlin, status: 'hold' } });

    expect(swept).toEqual({ resent: 0, closed: 1 });
    expect(world.mailer.ses.receivedBy('de@press.example')).toEqual([]);
  });
});
