import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import {
  announcedShow as announced,
  dePressCancelledOf,
  metaAt,
  runDueSteps,
  sweepsOn,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: a step's notes are written with its mails' claims, so "one landing after it has its
 * step find the claim, count the note (its mail claimed within the stale window) and tell what stands"; its
 * mail, counted from a mail still claimed, is held behind it (claimHeld) for the sweep, so it cannot reach
 * SES first. The German outlet told of show-1 (doors 19:00); on 3 February the label cancels it; the
 * cancellation's step writes its note and claim and is about to call SES when the label sets the show on
 * again as it was and that change's step runs: it counts the outlet told of the cancellation and holds
 * 'Back on'; the cancellation's call goes, and the sweep sends 'Back on' after it. Before the fix 'Back on'
 * went first and 'Cancelled' was the outlet's last word of a show that is on.
 */
describe('a cancellation step whose show is set on again between its claim and its call to SES', () => {
  it("tells the German outlet nothing, or 'Back on' after 'Cancelled'", async () => {
    const { now, fakes, deps, tours, mailer, cancellation } = await dePressCancelledOf(announced);
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
