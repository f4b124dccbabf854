import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { aShow, lostAnswers, metaAt, takeStepsWritten, toldDePressOf } from '#test/support/tours.ts';

const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });
const paris = { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' };

/**
 * A stale "moved" claim of a show moved back to the claim's country since is closed: the move back's
 * press-change told the address where it plays (docs/design.md#tours). Moved away again, its second stay
 * there is told "moved" under its own identity.
 */
describe('review: a stale "moved" claim of a show moved back to Germany and away again since', () => {
  it('is not resent after the second stay\'s "moved": the German outlet hears the show moved to Paris once', async () => {
    const { now, fakes, deps, mailer } = await toldDePressOf(announced);
    // Moved to Paris: the German outlet's "Moved" is claimed, SES's answer lost (nothing sent).
    now.value = new Date(now.value.getTime() + 3600_000);
    mailer.ses.script = lostAnswers;
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, venue: paris } },
      metaAt(now.value.toISOString()),
      deps,
    );
    await takeStepsWritten(fakes);
    mailer.ses.script = undefined;
    // Minutes later, back to Berlin (the outlet hears "Changed"), and minutes after that to Paris again
    // (the outlet hears "Moved", this stay's).
    for (const show of [announced, { ...announced, venue: paris }]) {
      now.value = new Date(now.value.getTime() + 2 * 60_000);
      await applyShowChange('tour-1', { type: 'set', show }, metaAt(now.value.toISOString()), deps);
      await takeStepsWritten(fakes);
    }
    const byTheSteps = mailer.ses.receivedBy('de@press.example').map((m) => m.kind);
    expect(byTheSteps).toEqual(['press-announcement', 'press-change', 'press-moved']);

    // The first "Moved" claim goes stale and the sweep runs.
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    // The first stay's "Moved" was overtaken by the move back: resent, the outlet reads it a second time.
    expect(mailer.ses.receivedBy('de@press.example').map((m) => m.kind)).toEqual(byTheSteps);
  });
});
