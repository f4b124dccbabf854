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
 * docs/design.md#tours: a step "that read the show, then the notes, reads the show again after them and
 * tells nothing when it has since changed ...: that latest change's step or firing, reading the notes
 * after, tells what stands" (1c972a4). The read again closes the window only up to itself: a change
 * set between that read and the step's note (written unconditionally, before its mail) has its step
 * read the notes before the older step's note, tell nothing, and leave that older news the last word.
 * The German outlet told of show-1 (doors 19:00); on 3 February the label cancels it; the
 * cancellation's step reads the notes and the show again (still cancelled) when, a minute later, the
 * label sets it on again as it was and that change's press-change step runs (the outlet's notes say
 * announced: nothing to tell, nothing noted); the cancellation's step then notes and mails
 * 'Cancelled': the outlet's last word of a show that is on, and no later step or sweep corrects it.
 */
describe('a cancellation step whose show is set on again just after its read again', () => {
  // The cancellation step's notes are written only while the show is as its read again found it: the
  // change landing before them refuses them, and the step taken again from a fresh read tells nothing.
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

    // The cancellation's step has read the notes and the show again (cancelled) when the label sets it
    // on again, as it was, and that change's step runs, before the cancellation's step writes its notes.
    const recordPressToldAsRead = tours.recordPressToldAsRead.bind(tours);
    let raced = false;
    tours.recordPressToldAsRead = async (...args) => {
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
      return recordPressToldAsRead(...args);
    };
    await takeStep(cancellation, { correlationId: 'c' }, deps);
    expect(raced).toBe(true);
    tours.recordPressToldAsRead = recordPressToldAsRead;
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
