import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  cancellationRacedByOnAgain,
  dePressCancelledOf,
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
    const world = await dePressCancelledOf(announced);
    expect(world.cancellation.step).toBe('press-cancellation');
    // The cancellation's note and claim are written when, before its call to SES, the label sets the show
    // on again, as it was, and that change's step runs.
    const { raced, status, kinds } = await cancellationRacedByOnAgain(world, announced, (setOnAgain) => {
      world.mailer.ses.script = async (mail) => {
        if (mail.kind === 'press-cancellation') await setOnAgain();
        return undefined as never;
      };
      return () => {
        world.mailer.ses.script = undefined;
      };
    });

    expect(raced).toBe(true);
    expect(status).toBe('announced');
    expect(kinds.at(-1)).not.toBe('press-cancellation');
  });
});
