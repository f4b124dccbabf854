import { describe, expect, it } from 'vitest';
import { stepMoment } from '#shared/tours.ts';
import { aShow, bookedWithMailModule, changeAt, ref, sweepAt, takeShowStep } from '#test/support/tours.ts';

// docs/design.md#tours: the guest list closes at its cutoff, locked, then mailed to the promoter. A cutoff
// whose list is locked and whose step was not recorded (the invocation died between the lock and the mail's
// claim) is not done: a later firing of the show's cutoff, moved the same day since, mails the list as locked.
describe('a guest list locked at its cutoff, the invocation dead before the mail was claimed, the cutoff then moved later the same day', () => {
  it('sends the promoter the list as locked once, at the later cutoff', async () => {
    const w = await bookedWithMailModule('2027-01-01T00:00:00Z');
    const cutoff = stepMoment(aShow(), 'guest-list-cutoff').scheduledFor;
    w.now.value = new Date(cutoff);
    // The cutoff's step locked the list, then the invocation died before its mail was claimed.
    await w.tours.lockGuestList(ref(), cutoff, { date: aShow().date, scheduledFor: cutoff });
    // Minutes later the label moves the cutoff an hour later, the same day: the list stays locked.
    await changeAt(w, new Date(Date.parse(cutoff) + 5 * 60_000).toISOString(), {
      type: 'set',
      show: aShow({ guestListCutoff: '18:00' }),
    });
    const later = stepMoment(aShow({ guestListCutoff: '18:00' }), 'guest-list-cutoff').scheduledFor;
    // The retry of the first firing finds the show changed since.
    await takeShowStep(w, 'guest-list-cutoff', cutoff);

    w.now.value = new Date(later);
    await takeShowStep(w, 'guest-list-cutoff', later);
    await takeShowStep(w, 'guest-list-cutoff', later);
    await sweepAt(w, new Date(Date.parse(later) + 60 * 60_000).toISOString());

    const lists = w.ses.delivered.filter((m) => m.kind === 'guest-list-cutoff');
    expect(lists.map((m) => m.email)).toEqual(['booking@nacht.example']);
  });
});
