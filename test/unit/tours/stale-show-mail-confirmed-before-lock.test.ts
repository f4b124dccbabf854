import { describe, expect, it } from 'vitest';
import { bookTour } from '#functions/tours/apply-change.ts';
import { moduleTourMailer } from '#functions/tours/mailer.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { mailSubjects } from '#shared/db/deliveries.ts';
import type { EventData, ShowStepDue } from '#shared/events/index.ts';
import { defaultMailSettings } from '#shared/mail/ports.ts';
import { advanceLockAt, advanceStatusOf } from '#shared/tours.ts';
import { fakeMailDeps } from '#test/support/announcer-fakes.ts';
import { aShow, changeAt, fakeToursDeps, metaAt, tourOf } from '#test/support/tours.ts';

// docs/design.md#tours: while the show is on hold its stale claims are left open and
// taken over ('reclaim'); "once the show is advanced again the next sweep sends each whose step stands",
// an advance step's mail standing until the form locks. The sweep runs every minute.

describe('a held advance request, the show confirmed again shortly before the form locks', () => {
  it('is sent by the next sweeps while the form still takes answers', async () => {
    const now = { value: new Date('2027-05-13T20:00:00Z') };
    const { deps: mail, mailer: ses } = fakeMailDeps(() => now.value, defaultMailSettings(60));
    const fakes = fakeToursDeps(now);
    const deps = {
      ...fakes.deps,
      mailer: moduleTourMailer(
        mail,
        async () => 'https://b.example/u/x',
        60_000,
        fakes.tours.notePressAndClaim(mail.deliveries),
        fakes.tours.claimAwaitingAdvance(mail.deliveries),
      ),
    };
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    fakes.tours.outbox.splice(0);
    // The request, claimed, then lost in a crash.
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
    await changeAt({ now, deps }, '2027-05-13T20:05:00.000Z', {
      type: 'set',
      show: aShow({ status: 'hold' }),
    });
    // A sweep while on hold: the claim is held (and taken over).
    now.value = new Date('2027-05-13T21:40:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    // Confirmed again a minute later; the form locks at 22:00Z (00:00 in Berlin).
    await changeAt({ now, deps }, '2027-05-13T21:41:00.000Z', { type: 'set', show: aShow() });
    for (const e of fakes.tours.outbox.splice(0))
      if (e.detailType === 'Show Step Due')
        await takeStep(e.detail.data as EventData<typeof ShowStepDue>, { correlationId: 'c' }, deps);
    expect(advanceLockAt(aShow())).toBe('2027-05-13T22:00:00.000Z');
    // The office view already says the promoter was asked (the step found the held claim and was recorded).
    expect(
      advanceStatusOf((await deps.tours.getShow({ labelId: 'lbl-1', tourId: 'tour-1', showId: 'show-1' }))!),
    ).toBe('requested');
    // The sweep every minute until the form locks.
    let requestedAt: string | undefined;
    for (let t = Date.parse('2027-05-13T21:42:00Z'); t < Date.parse('2027-05-13T22:00:00Z'); t += 60_000) {
      now.value = new Date(t);
      await sweepStaleTourMail(deps, t + 60_000);
      if (!requestedAt && ses.delivered.some((m) => m.kind === 'advance-request'))
        requestedAt = now.value.toISOString();
    }

    // Confirmed at 21:41, with 19 minutes of sweeps before the form locks: none sends it (the claim was
    // taken over at 21:40, stale again only after 22:06, then too late and closed).
    expect(requestedAt).toBeDefined();
  });
});
