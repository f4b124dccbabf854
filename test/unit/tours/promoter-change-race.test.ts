import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { stepMoment } from '#shared/tours.ts';
import { aShow, fakeToursDeps, metaAt, ref, runDueSteps, tourOf } from '#test/support/tours.ts';

describe('a show given to another promoter while its advance request is being sent', () => {
  it('asks only the new promoter for the advance when the change lands before the old promoter’s request is claimed', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, mailer } = fakes;
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    fakes.tours.outbox.splice(0);
    const request = stepMoment(aShow(), 'advance-request').scheduledFor;
    now.value = new Date(request);
    // The label gives the show to another promoter while the request's mail to the old one is going out.
    const send = mailer.send.bind(mailer);
    let changed = false;
    deps.mailer = {
      ...mailer,
      reached: mailer.reached,
      sweepStale: mailer.sweepStale,
      send: async (mails) => {
        if (!changed) {
          changed = true;
          const replaced = aShow({ promoter: { name: 'New', email: 'new@promo.example' } });
          await applyShowChange(
            'tour-1',
            { type: 'set', show: replaced },
            metaAt('2027-04-16T08:00:01Z'),
            deps,
          );
        }
        return send(mails);
      },
    };
    await takeStep(
      { ...ref(), step: 'advance-request', scheduledFor: request },
      { correlationId: 'c' },
      deps,
    );
    // The change's own at-once request (its Show Step Due in the outbox) runs after.
    await runDueSteps(fakes, now);

    // The old promoter's request is claimed only while the show is still theirs (docs/design.md#tours).
    expect(mailer.sent.map((m) => [m.to.email, m.kind])).toEqual([['new@promo.example', 'advance-request']]);
  });
});
