import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  announcedWithAnswersLost,
  heldThenInParis,
  kindsToldDe,
  stepsWritten,
  sweepsOn,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: a held announcement "may never have gone, and an outlet
 * never announced a show hears no 'Changed' of it": `reached` reads it `held`, which the change and
 * cancellation steps count as telling nothing, and so does the move. Its news reads no statement ("a move is news to
 * each of them, whatever they were told"): it goes to every address pressToldAsReached keeps, and that
 * leaves a `held` mail's shows out for news. The German outlet's announcement of show-1 was claimed and never
 * sent (SES's answer lost, no Email Sent ever); held while the show was on hold; announced again on 10
 * February at the Olympia in Paris. The outlet, never announced the Berlin show, must not be told it moved.
 */
describe('a press announcement never sent, held while its show is on hold, the show announced again in another country', () => {
  it('tells the German outlet nothing: it was never announced the show', async () => {
    const { now, fakes, deps, mailer, tours } = await announcedWithAnswersLost([announced]);
    stepsWritten(tours);

    // A day later (the claim stale) the show is put on hold; the sweep holds the announcement. A week
    // later it is announced again, in Paris; its steps run, the sweep looks on.
    await heldThenInParis({ now, deps, fakes });
    await sweepsOn({ now, deps }, 4);

    // No Email Sent ever came for the announcement: the outlet was told nothing of the show.
    expect(kindsToldDe(mailer.ses)).toEqual([]);
  });
});
