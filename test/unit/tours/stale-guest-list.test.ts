import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { moduleTourMailer } from '#functions/tours/mailer.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { mailSubjects } from '#shared/db/deliveries.ts';
import { defaultMailSettings } from '#shared/mail/ports.ts';
import { stepMoment } from '#shared/tours.ts';
import { fakeMailDeps } from '#test/support/announcer-fakes.ts';
import { aShow, fakeToursDeps, metaAt, ref, tourOf } from '#test/support/tours.ts';

// docs/design.md#tours: a show's stale mail is sent again if it is the same mail (a guest list's lock) and its
// step would still be taken. The office view states such a list's cutoff done, as its step does not mail it
// again: the sweep is the list's only way to the promoter.
describe('a stale guest-list claim, the cutoff since moved later on the same day', () => {
  it('sends the promoter the guest list as locked (the same mail, its step standing)', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps: mail, mailer: ses } = fakeMailDeps(() => now.value, defaultMailSettings(60));
    const world = fakeToursDeps(now);
    const deps = {
      ...world.deps,
      mailer: moduleTourMailer(mail, async () => 'https://b.example/u/x', 60_000),
    };
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    const cutoff = stepMoment(aShow(), 'guest-list-cutoff').scheduledFor;
    now.value = new Date(cutoff);
    // The cutoff's step locked the list and claimed its mail, then the invocation died before SES.
    const lockedAt = now.value.toISOString();
    await world.tours.lockGuestList(ref(), lockedAt, { date: aShow().date, scheduledFor: cutoff });
    await mail.deliveries.claim(
      {
        labelId: 'lbl-1',
        subject: mailSubjects.show('tour-1', 'show-1', lockedAt),
        email: 'booking@nacht.example',
        kind: 'guest-list-cutoff',
        stream: 'operational',
        context: { tourId: 'tour-1', showId: 'show-1' },
      },
      lockedAt,
    );
    // The retry finds the claim (being sent) and records the step.
    await takeStep(
      { ...ref(), step: 'guest-list-cutoff', scheduledFor: cutoff },
      { correlationId: 'c' },
      deps,
    );
    // Minutes later the label moves the cutoff an hour later, the same day: the list stays locked.
    now.value = new Date(Date.parse(cutoff) + 5 * 60_000);
    await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow({ guestListCutoff: '18:00' }) },
      metaAt(now.value.toISOString()),
      deps,
    );
    const later = stepMoment(aShow({ guestListCutoff: '18:00' }), 'guest-list-cutoff').scheduledFor;

    now.value = new Date(Date.parse(cutoff) + 60 * 60_000);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    // The later cutoff fires too.
    now.value = new Date(later);
    await takeStep(
      { ...ref(), step: 'guest-list-cutoff', scheduledFor: later },
      { correlationId: 'c' },
      deps,
    );

    expect(ses.delivered.filter((m) => m.kind === 'guest-list-cutoff')).toHaveLength(1);
  });
});
