import { describe, expect, it } from 'vitest';
import { FakeSuppressionList } from '#test/support/announcer-fakes.ts';
import { bookedWithMailModule, guestListClaimLeftAtCutoff, pastStale, sweepAt } from '#test/support/tours.ts';

// docs/design.md#two-mail-streams: a step that finds its promoter suppressed tells the tour manager instead of
// mailing nobody; docs/design.md#tours: the sweep writes a show's stale mail again as its step would write it
// now. A stale claim of a mail to a promoter suppressed since is closed, and the tour manager told instead.
describe('a stale guest-list claim, the promoter suppressed before the sweep', () => {
  it('closes the claim and tells the tour manager the promoter cannot be reached, once', async () => {
    const w = await bookedWithMailModule('2027-01-01T00:00:00Z');
    // The cutoff's step locked the list and claimed its mail, then the invocation died before SES; its
    // retry found the claim and recorded the step.
    const cutoff = await guestListClaimLeftAtCutoff(w);
    // The promoter's address bounces meanwhile (on press mail, say): suppressed for both streams.
    w.fakes.suppressed.add('booking@nacht.example');
    w.mail.suppressions = new FakeSuppressionList(new Set(['booking@nacht.example']));

    const first = await sweepAt(w, pastStale(w, cutoff, 30 * 60_000));
    await sweepAt(w, pastStale(w, cutoff, 31 * 60_000));

    expect(first.closed).toBe(1);
    expect(w.ses.delivered.map((m) => [m.kind, m.email])).toEqual([
      ['promoter-unreachable', 'sam@tm.example'],
    ]);
  });
});
