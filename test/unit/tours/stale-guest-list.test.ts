import { describe, expect, it } from 'vitest';
import { stepMoment } from '#shared/tours.ts';
import {
  aShow,
  bookedWithMailModule,
  changeAt,
  guestListClaimLeftAtCutoff,
  pastStale,
  sweepAt,
  takeShowStep,
} from '#test/support/tours.ts';

// docs/design.md#tours: a show's stale mail is sent again if it is the same mail (a guest list's lock) and its
// step would still be taken. The office view states such a list's cutoff done, as its step does not mail it
// again: the sweep is the list's only way to the promoter.
describe('a stale guest-list claim, the cutoff since moved later on the same day', () => {
  it('sends the promoter the guest list as locked (the same mail, its step standing)', async () => {
    const w = await bookedWithMailModule('2027-01-01T00:00:00Z');
    // The cutoff's step locked the list and claimed its mail, then the invocation died before SES; the
    // retry finds the claim (being sent) and records the step.
    const cutoff = await guestListClaimLeftAtCutoff(w);
    // Minutes later the label moves the cutoff 90 minutes later, the same day: the list stays locked.
    await changeAt(w, new Date(Date.parse(cutoff) + 5 * 60_000).toISOString(), {
      type: 'set',
      show: aShow({ guestListCutoff: '18:30' }),
    });
    const later = stepMoment(aShow({ guestListCutoff: '18:30' }), 'guest-list-cutoff').scheduledFor;

    // The sweep a minute past the claim's stale window, before the later cutoff.
    await sweepAt(w, pastStale(w, cutoff, 60_000));
    expect(Date.parse(w.now.value.toISOString())).toBeLessThan(Date.parse(later));
    // The later cutoff fires too.
    w.now.value = new Date(later);
    await takeShowStep(w, 'guest-list-cutoff', later);

    expect(w.ses.delivered.filter((m) => m.kind === 'guest-list-cutoff')).toHaveLength(1);
  });
});
