import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { aShow, lostAnswers, metaAt, stepsWritten, toldDePressOf } from '#test/support/tours.ts';

/** A stale change of a show that moved away, its move told, and was cancelled since (docs/design.md#tours). */
describe('press: a stale change claim of a show moved to France and cancelled there since', () => {
  const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

  it('is closed: the German outlet, told it moved, hears no "Cancelled: ... in Germany" that the cancellation\'s step did not send', async () => {
    const { now, deps, mailer, tours } = await toldDePressOf(announced);
    const run = async () => {
      for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);
    };
    // Doors changed: the German outlet's "Changed" mail is claimed, SES's answer lost.
    now.value = new Date(now.value.getTime() + 3600_000);
    mailer.ses.script = lostAnswers;
    const retimed = { ...announced, times: { ...announced.times, doors: '20:00' } };
    await applyShowChange('tour-1', { type: 'set', show: retimed }, metaAt(now.value.toISOString()), deps);
    await run();
    mailer.ses.script = undefined;
    // Moved to Paris: the outlet hears "Moved", and Germany's press is forgotten for the show.
    now.value = new Date(now.value.getTime() + 60_000);
    const paris = { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' };
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...retimed, venue: paris } },
      metaAt(now.value.toISOString()),
      deps,
    );
    await run();
    // Cancelled in Paris: its step tells France's press, not Germany's (it heard the show moved).
    now.value = new Date(now.value.getTime() + 60_000);
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt(now.value.toISOString()),
      deps,
    );
    await run();
    const byTheSteps = mailer.ses.receivedBy('de@press.example').map((m) => m.kind);
    expect(byTheSteps).toEqual(['press-announcement', 'press-moved']);

    // The "Changed" claim goes stale: the sweep writes nothing the steps would not have.
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    expect(mailer.ses.receivedBy('de@press.example').map((m) => m.kind)).toEqual(byTheSteps);
  });
});
