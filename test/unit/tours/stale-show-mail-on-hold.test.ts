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

// docs/design.md#tours: a hold stops a show's steps for now, not for good. A stale claim of its mail closed
// then would refuse, under the same identity, the very mail the show needs once it is confirmed again (its
// step is recorded, or its step's own mail finds the closed claim): the sweep leaves it open meanwhile, and
// the sweep after the show is advanced again sends it, once.
describe('a stale advance request claim swept while the show is on hold, the show confirmed again', () => {
  async function world() {
    const now = { value: new Date('2027-04-16T08:00:00Z') };
    const { deps: mail, mailer: ses } = fakeMailDeps(() => now.value, defaultMailSettings(60));
    const fakes = fakeToursDeps(now);
    const deps = {
      ...fakes.deps,
      mailer: moduleTourMailer(mail, async () => 'https://b.example/u/x', 60_000),
    };
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    fakes.tours.outbox.splice(0);
    const request = stepMoment(aShow(), 'advance-request').scheduledFor;
    // The request's mail was claimed, then the invocation died before SES.
    await mail.deliveries.claim(
      {
        labelId: 'lbl-1',
        subject: mailSubjects.show('tour-1', 'show-1'),
        email: 'booking@nacht.example',
        kind: 'advance-request',
        stream: 'operational',
        context: { tourId: 'tour-1', showId: 'show-1' },
      },
      now.value.toISOString(),
    );
    return { now, ses, fakes: { ...fakes, deps }, deps, request };
  }

  it('asks the promoter once the show is confirmed again (the retry recorded the step before the hold)', async () => {
    const { now, ses, fakes, deps, request } = await world();
    // The event's retry finds the claim (being sent), sends nothing and records the step.
    await takeStep(
      { ...ref(), step: 'advance-request', scheduledFor: request },
      { correlationId: 'c' },
      deps,
    );
    now.value = new Date('2027-04-16T08:05:00Z');
    await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow({ status: 'hold' }) },
      metaAt('2027-04-16T08:05:00Z'),
      deps,
    );
    now.value = new Date('2027-04-16T09:00:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    // The next day the label confirms the show again.
    now.value = new Date('2027-04-17T09:00:00Z');
    await applyShowChange('tour-1', { type: 'set', show: aShow() }, metaAt('2027-04-17T09:00:00Z'), deps);
    await runDueSteps(fakes, now);
    // The next sweep, the show advanced again.
    now.value = new Date('2027-04-17T09:30:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    expect(ses.delivered.filter((m) => m.kind === 'advance-request')).toHaveLength(1);
  });

  it('asks the promoter once the show is confirmed again (the hold landed before the retry)', async () => {
    const { now, ses, fakes, deps, request } = await world();
    now.value = new Date('2027-04-16T08:05:00Z');
    await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow({ status: 'hold' }) },
      metaAt('2027-04-16T08:05:00Z'),
      deps,
    );
    await takeStep(
      { ...ref(), step: 'advance-request', scheduledFor: request },
      { correlationId: 'c' },
      deps,
    );
    now.value = new Date('2027-04-16T09:00:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    now.value = new Date('2027-04-17T09:00:00Z');
    await applyShowChange('tour-1', { type: 'set', show: aShow() }, metaAt('2027-04-17T09:00:00Z'), deps);
    // The change puts the request due at once: its own step is to send it (and takes it).
    const taken = await runDueSteps(fakes, now);
    expect(taken.map((due) => due.step)).toContain('advance-request');
    expect((await fakes.tours.getShow(ref()))?.stepsDone?.['advance-request']).toBe(request);
    // Its mail found the claim left open on hold (being sent): the next sweep sends it.
    now.value = new Date('2027-04-17T09:30:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    await runDueSteps(fakes, now);

    expect(ses.delivered.filter((m) => m.kind === 'advance-request')).toHaveLength(1);
  });
});

describe("a stale day sheet claim swept while the show is on hold, the show's eve", () => {
  async function world() {
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
    // The tour manager's day sheet was claimed, then the invocation died before SES; minutes later the show is held.
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
    now.value = new Date('2027-05-13T16:05:00Z');
    await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow({ status: 'hold' }) },
      metaAt('2027-05-13T16:05:00Z'),
      deps,
    );
    await takeStep({ ...ref(), step: 'day-sheet', scheduledFor: day }, { correlationId: 'c' }, deps);
    now.value = new Date('2027-05-13T17:00:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    const sheetsToSam = () =>
      ses.delivered.filter((m) => m.kind === 'day-sheet' && m.email === 'sam@tm.example');
    return { now, fakes: { ...fakes, deps }, deps, sheetsToSam };
  }

  it('sends the tour manager the day sheet once when the show is confirmed again', async () => {
    const { now, fakes, deps, sheetsToSam } = await world();
    now.value = new Date('2027-05-13T18:00:00Z');
    await applyShowChange('tour-1', { type: 'set', show: aShow() }, metaAt('2027-05-13T18:00:00Z'), deps);
    await runDueSteps(fakes, now);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    now.value = new Date('2027-05-13T19:00:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    expect(sheetsToSam()).toHaveLength(1);
  });

  it('leaves the claim open unsent when the show is cancelled instead (it may be set on again), and closes it once the show is over', async () => {
    const { now, deps, sheetsToSam } = await world();
    now.value = new Date('2027-05-13T18:00:00Z');
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt('2027-05-13T18:00:00Z'),
      deps,
    );
    expect(await sweepStaleTourMail(deps, now.value.getTime() + 60_000)).toEqual({ resent: 0, closed: 0 });
    // The show's day (2027-05-14, Berlin) is over: no day sheet is of use any more.
    now.value = new Date('2027-05-15T12:00:00Z');
    expect(await sweepStaleTourMail(deps, now.value.getTime() + 60_000)).toEqual({ resent: 0, closed: 1 });

    expect(sheetsToSam()).toEqual([]);
  });
});
