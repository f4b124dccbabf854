import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { moduleTourMailer } from '#functions/tours/mailer.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { mailSubjects } from '#shared/db/deliveries.ts';
import { defaultMailSettings } from '#shared/mail/ports.ts';
import { stepMoment } from '#shared/tours.ts';
import { fakeMailDeps } from '#test/support/announcer-fakes.ts';
import { aShow, fakeToursDeps, metaAt, ref, runDueSteps, tourOf } from '#test/support/tours.ts';

// docs/design.md#tours: a stale claim of a show's own mail is left open while the show is on hold or
// cancelled (either may be undone), taken over unsent, so it is looked at again only once stale again
// and does not stand first in every sweep; once the show is advanced again it is sent only while its
// step would still fire (until the form locks, or the show is over), and past that it is closed.

const advanceClaim = (showId: string) => ({
  labelId: 'lbl-1',
  subject: mailSubjects.show('tour-1', showId),
  email: 'booking@nacht.example',
  kind: 'advance-request',
  stream: 'operational' as const,
  context: { tourId: 'tour-1', showId },
});

describe('stale show mail: claims held for shows on hold do not keep the sweep (500 a run, oldest first) from the others', () => {
  it('still resends the stale advance request of a confirmed show claimed after them', async () => {
    const now = { value: new Date('2027-04-16T08:00:00Z') };
    const { deps: mail, mailer: ses } = fakeMailDeps(() => now.value, defaultMailSettings(60));
    const fakes = fakeToursDeps(now);
    const deps = {
      ...fakes.deps,
      mailer: moduleTourMailer(mail, async () => 'https://b.example/u/x', 60_000),
    };
    const held = Array.from({ length: 500 }, (_, i) => aShow({ showId: `held-${i}`, status: 'hold' }));
    await bookTour(tourOf([aShow(), ...held]), metaAt('2027-01-01T00:00:00Z'), deps);
    fakes.tours.outbox.splice(0);
    // Claimed (then lost in a crash) before each show was put on hold; their holds last for weeks.
    for (const show of held)
      await mail.deliveries.claim(advanceClaim(show.showId), '2027-03-01T08:00:00.000Z');
    // The confirmed show's request, claimed later, also lost in a crash.
    await mail.deliveries.claim(advanceClaim('show-1'), now.value.toISOString());

    for (const at of ['2027-04-16T09:00:00Z', '2027-04-16T09:01:00Z', '2027-04-16T10:00:00Z']) {
      now.value = new Date(at);
      await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    }

    expect(ses.delivered.filter((m) => m.kind === 'advance-request')).toHaveLength(1);
  });
});

describe('stale show mail held on hold: an advance request, the show confirmed again only after its day', () => {
  it('is not mailed to the promoter: the form is locked and the show over (its step would not send it)', async () => {
    const now = { value: new Date('2027-04-16T08:00:00Z') };
    const { deps: mail, mailer: ses } = fakeMailDeps(() => now.value, defaultMailSettings(60));
    const fakes = fakeToursDeps(now);
    const deps = {
      ...fakes.deps,
      mailer: moduleTourMailer(mail, async () => 'https://b.example/u/x', 60_000),
    };
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    fakes.tours.outbox.splice(0);
    await mail.deliveries.claim(advanceClaim('show-1'), now.value.toISOString());
    now.value = new Date('2027-04-16T08:05:00Z');
    await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow({ status: 'hold' }) },
      metaAt(now.value.toISOString()),
      deps,
    );
    now.value = new Date('2027-04-16T09:00:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    // The show (2027-05-14) stayed on hold past its day; the label sets it confirmed again a week later.
    now.value = new Date('2027-05-21T09:00:00Z');
    await applyShowChange('tour-1', { type: 'set', show: aShow() }, metaAt(now.value.toISOString()), deps);
    const taken = await runDueSteps(fakes, now);
    expect(taken.map((due) => due.step)).not.toContain('advance-request');
    now.value = new Date('2027-05-21T10:00:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    expect(ses.delivered.filter((m) => m.kind === 'advance-request')).toEqual([]);
  });
});

describe('stale show mail held while the show is cancelled: a day sheet, the show set on again the same evening', () => {
  it('sends the tour manager the day sheet once (a cancellation is undone as a hold is)', async () => {
    const now = { value: new Date('2027-05-13T16:00:00Z') };
    const { deps: mail, mailer: ses } = fakeMailDeps(() => now.value, defaultMailSettings(60));
    const fakes = fakeToursDeps(now);
    const deps = {
      ...fakes.deps,
      mailer: moduleTourMailer(mail, async () => 'https://b.example/u/x', 60_000),
    };
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    fakes.tours.outbox.splice(0);
    const day = stepMoment(aShow(), 'day-sheet').scheduledFor;
    await mail.deliveries.claim(
      {
        labelId: 'lbl-1',
        subject: mailSubjects.show('tour-1', 'show-1', day),
        email: 'sam@tm.example',
        kind: 'day-sheet',
        stream: 'operational',
        context: { tourId: 'tour-1', showId: 'show-1' },
      },
      day,
    );
    // The event's retry finds the claim (being sent), sends nothing and records the step.
    await takeStep({ ...ref(), step: 'day-sheet', scheduledFor: day }, { correlationId: 'c' }, deps);
    now.value = new Date('2027-05-13T16:05:00Z');
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt(now.value.toISOString()),
      deps,
    );
    await runDueSteps(fakes, now);
    now.value = new Date('2027-05-13T17:00:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    // The cancellation was a mistake: the label sets the show on again, as it was.
    now.value = new Date('2027-05-13T18:00:00Z');
    await applyShowChange('tour-1', { type: 'set', show: aShow() }, metaAt(now.value.toISOString()), deps);
    await runDueSteps(fakes, now);
    now.value = new Date('2027-05-13T19:00:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    expect(ses.delivered.filter((m) => m.kind === 'day-sheet' && m.email === 'sam@tm.example')).toHaveLength(
      1,
    );
  });
});
