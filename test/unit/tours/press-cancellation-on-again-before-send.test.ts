import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import {
  aShow,
  metaAt,
  runDueSteps,
  stepsWritten,
  sweepsOn,
  takeStepsWritten,
  toldDePressOf,
} from '#test/support/tours.ts';

const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

/**
 * docs/design.md#tours: a step's notes are written with its mails' claims, so "one landing after it has its
 * step find the claim, count the note (its mail claimed within the stale window) and tell what stands". That
 * step's mail can reach SES before the claimed one does. The German outlet told of show-1 (doors 19:00); on
 * 3 February the label cancels it; the cancellation's step writes its note and claim and is about to call
 * SES when the label sets the show on again as it was and that change's step runs: it counts the outlet told
 * of the cancellation and mails 'Back on'; the cancellation's call then goes: 'Cancelled' is the outlet's
 * last word of a show that is on, and no later step or sweep corrects it.
 */
describe('a cancellation step whose show is set on again between its claim and its call to SES', () => {
  // Not yet right (a known failure): 'Back on' goes before 'Cancelled', the outlet's last word.
  it.fails("tells the German outlet nothing, or 'Back on' after 'Cancelled'", async () => {
    const { now, fakes, deps, tours, mailer } = await toldDePressOf(announced);
    now.value = new Date('2027-02-03T00:00:00Z');
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt(now.value.toISOString()),
      deps,
    );
    const [cancellation] = stepsWritten(tours);
    expect(cancellation.step).toBe('press-cancellation');
    // The cancellation's note and claim are written when, before its call to SES, the label sets the show
    // on again, as it was, and that change's step runs.
    let raced = false;
    mailer.ses.script = async (mail) => {
      if (!raced && mail.kind === 'press-cancellation') {
        raced = true;
        now.value = new Date('2027-02-03T00:01:00Z');
        await applyShowChange(
          'tour-1',
          { type: 'set', show: announced },
          metaAt(now.value.toISOString()),
          deps,
        );
        await takeStepsWritten(fakes);
      }
      return undefined as never;
    };

    await takeStep(cancellation, { correlationId: 'c' }, deps);
    mailer.ses.script = undefined;
    await runDueSteps(fakes, now);
    await sweepsOn({ now, deps }, 48);

    expect(raced).toBe(true);
    expect(
      (await tours.getShow({ labelId: 'lbl-1', tourId: 'tour-1', showId: 'show-1' }))?.show?.status,
    ).toBe('announced');
    expect(
      mailer.ses
        .receivedBy('de@press.example')
        .map((m) => m.kind)
        .at(-1),
    ).not.toBe('press-cancellation');
  });
});
