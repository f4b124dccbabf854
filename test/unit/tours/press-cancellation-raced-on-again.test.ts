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
 * docs/design.md#tours: a cancelled show "set on again as it was before its cancellation reached the
 * press (whichever of the two steps runs first), it is news to nobody and nobody is mailed", and (since
 * a387196) a step that read the show before a later change's step ran does not tell an address the older
 * news last: the latest word stands (`newsFor`). a387196 reads that from the address's note only: a
 * later change whose step tells the address nothing (its news is what the address already holds) leaves
 * no note, so the step that read the show before it still tells its own older news.
 * The German outlet told of show-1 (doors 19:00); on 3 February the label cancels it; the cancellation's
 * step reads the show (cancelled) when, a minute later, the label sets it on again as it was, and that
 * change's press-change step runs (the outlet holds the announcement: nothing to tell, nothing noted);
 * the cancellation's step then reads the outlet's notes (announced, not cancelled) and mails
 * 'Cancelled': the outlet's last word is that a show on is cancelled, and no later step corrects it.
 */
describe('a cancellation step racing the show set on again as it was', () => {
  // The cancellation's step reads the show again after the notes: set on again since, it tells nothing
  // (that change's step told what stands), though that step wrote no note.
  it("tells the German outlet nothing, or 'Back on' after 'Cancelled'", async () => {
    const { now, fakes, deps, tours, mailer } = await toldDePressOf(announced);
    expect(mailer.ses.receivedBy('de@press.example').map((m) => m.kind)).toEqual(['press-announcement']);

    now.value = new Date('2027-02-03T00:00:00Z');
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt(now.value.toISOString()),
      deps,
    );
    const [cancellation] = stepsWritten(tours);
    expect(cancellation.step).toBe('press-cancellation');

    // The cancellation's step has read the show (cancelled) when the label sets it on again, as it was,
    // and that change's step runs, before the cancellation's step reads the outlet's notes.
    const pressTold = tours.pressTold.bind(tours);
    let raced = false;
    tours.pressTold = async (...args) => {
      if (!raced) {
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
      return pressTold(...args);
    };
    await takeStep(cancellation, { correlationId: 'c' }, deps);
    expect(raced).toBe(true);
    tours.pressTold = pressTold;
    // Whatever the change left due (its press firing, if any) runs, and the sweep looks, a day on.
    await runDueSteps(fakes, now);
    await sweepsOn({ now, deps }, 48);

    // The show is on, as announced: the outlet's last word of it must not be 'Cancelled'.
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
