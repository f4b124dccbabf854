import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  cancellationRacedByOnAgain,
  dePressCancelledOf,
  kindsToldDe,
  raceAt,
} from '#test/support/tours.ts';

/**
 * The German outlet told of show-1 (doors 19:00); on 3 February the label cancels it, and its
 * cancellation's step is taken; just before that step's first call of `raced` on the tours store, a
 * minute later, the label sets the show on again as it was and that change's steps run. Then whatever
 * the change left due runs, and the sweep looks, a day on: the show's status and the outlet's mails.
 */
async function cancellationRacedBefore(raced: 'pressTold' | 'recordPressToldAsRead') {
  const world = await dePressCancelledOf(announced);
  expect(kindsToldDe(world.mailer.ses)).toEqual(['press-announcement']);
  expect(world.cancellation.step).toBe('press-cancellation');

  const outcome = await cancellationRacedByOnAgain(
    world,
    announced,
    (setOnAgain) => raceAt(world.tours, raced, setOnAgain).unhook,
  );
  expect(outcome.raced).toBe(true);
  return outcome;
}

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
    const { status, kinds } = await cancellationRacedBefore('pressTold');

    // The show is on, as announced: the outlet's last word of it must not be 'Cancelled'.
    expect(status).toBe('announced');
    expect(kinds.at(-1)).not.toBe('press-cancellation');
  });
});

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
    const { status, kinds } = await cancellationRacedBefore('recordPressToldAsRead');

    // The show is on, as announced: the outlet's last word of it must not be 'Cancelled'.
    expect(status).toBe('announced');
    expect(kinds.at(-1)).not.toBe('press-cancellation');
  });
});
