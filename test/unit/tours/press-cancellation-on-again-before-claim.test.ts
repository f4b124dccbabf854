import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  cancellationRacedByOnAgain,
  dePressCancelledOf,
  raceAt,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: a step's notes are written "only while the show is as its read again found it"
 * (a91861d), so a change landing before them refuses them. A change landing after them and before the
 * step's mail is claimed has its step read the notes, find the note's mail never reached SES (not yet
 * claimed) and count the address as told what it was before: told it is on, it hears nothing of the
 * show on again. The German outlet told of show-1 (doors 19:00); on 3 February the label cancels it;
 * the cancellation's step writes its note; before its mail is claimed the label sets the show on again
 * as it was and that change's press-change step runs (nothing to tell); the cancellation's mail then
 * goes: 'Cancelled' is the outlet's last word of a show that is on, and no later step or sweep corrects it.
 */
describe('a cancellation step whose show is set on again between its note and its mail', () => {
  // The step's notes and its mails' claims are written in one write, only while the show is as it read
  // it: the change landing before it refuses both, and the step taken again from a fresh read tells nothing.
  it("tells the German outlet nothing, or 'Back on' after 'Cancelled'", async () => {
    const world = await dePressCancelledOf(announced);
    expect(world.cancellation.step).toBe('press-cancellation');
    // The cancellation's step is about to note the address and claim its mail when the label sets the
    // show on again, as it was, and that change's step runs. Whatever the change left due runs, and the
    // sweep looks, a day on.
    const { raced, status, kinds } = await cancellationRacedByOnAgain(
      world,
      announced,
      (setOnAgain) =>
        raceAt(world.mailer, 'send', setOnAgain, (mails) =>
          mails.some((mail) => mail.kind === 'press-cancellation'),
        ).unhook,
    );

    expect(raced).toBe(true);
    expect(status).toBe('announced');
    expect(kinds.at(-1)).not.toBe('press-cancellation');
  });
});
