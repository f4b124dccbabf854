import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { aShow, lostAnswers, metaAt, stepsWritten, toldDePressOf } from '#test/support/tours.ts';

/** A stale "moved" mail of a show that came back to the mail's country since (docs/design.md#tours). */
describe('press: a stale "moved" claim of a show moved back to the country since', () => {
  const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

  it('is not resent: the outlet is not left told the show is no longer in Germany while it plays in Berlin', async () => {
    const { now, deps, mailer, tours } = await toldDePressOf(announced);
    // Moved to Paris: the German outlet's "Moved" mail is claimed, SES's answer lost.
    now.value = new Date(now.value.getTime() + 3600_000);
    mailer.ses.script = lostAnswers;
    const paris = { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' };
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, venue: paris } },
      metaAt(now.value.toISOString()),
      deps,
    );
    for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);
    mailer.ses.script = undefined;
    // Back to Berlin an hour later: the move back's step tells the outlet (a change).
    now.value = new Date(now.value.getTime() + 3600_000);
    await applyShowChange('tour-1', { type: 'set', show: announced }, metaAt(now.value.toISOString()), deps);
    for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);

    // The "Moved" claim goes stale and the sweep runs.
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    const mails = mailer.ses.receivedBy('de@press.example');
    // Whatever it heard between, its last word is not 'Moved: ... no longer in Germany' of a show in Berlin.
    expect(mails.map((m) => m.kind).at(-1)).not.toBe('press-moved');
  });
});
