import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  announcedWithAnswersLost,
  kindsToldDe,
  putOffAndHeldBySweep,
  settledWithPromoter,
  stepsWritten,
  sweepsOn,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: the sweep holds a stale announcement every show of which is left out and one of
 * which is cancelled or on hold only for now; "with its show over, cancelled still or not, it is closed".
 * A cancelled show is settled with its promoter (the cancellation's guarantee, `Tour Show Settled`) while
 * the announcement is held: the show is cancelled for good, never on again, yet its status is now
 * `settled`, which the resend's rewriting does not leave out (it leaves out only a show on hold or
 * cancelled), so the held claim is written again as the same mail and sent: the outlet is announced a
 * show that was cancelled. Before 8b15188 the claim was closed at the sweep's first look (its one show
 * cancelled) and the outlet heard nothing.
 */
describe('a press announcement held while its show is cancelled, the cancelled show then settled (8b15188)', () => {
  it('is never sent: the outlet is not announced a show cancelled for good', async () => {
    // The German outlet's announcement of show-1 claimed, SES's answer lost (nothing sent).
    const { now, fakes, deps, mailer, tours } = await announcedWithAnswersLost([announced]);
    stepsWritten(tours);

    // A day later (the claim stale) the label cancels show-1: its step tells the outlet nothing.
    // The sweep holds the stale announcement, unsent and open (its show cancelled, for now).
    expect(await putOffAndHeldBySweep({ now, deps, fakes }, { type: 'cancel', showId: 'show-1' })).toEqual({
      resent: 0,
      closed: 0,
    });

    // A week later the cancelled show is settled with the promoter: the guarantee it is owed.
    await settledWithPromoter({ now, deps, fakes }, '2027-02-10T00:00:00.000Z');

    // The sweep runs on, every stale window, for a day.
    await sweepsOn({ now, deps }, 48);

    // The show is cancelled; the outlet was never told of it and is told nothing now.
    expect(kindsToldDe(mailer.ses)).toEqual([]);
  });
});
