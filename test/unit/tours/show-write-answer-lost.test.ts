import { describe, expect, it } from 'vitest';
import { bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { promoterIdOf } from '#shared/db/tours.ts';
import { stepMoment } from '#shared/tours.ts';
import { refusedOnceAfterLanding } from '#test/support/dynamo-errors.ts';
import { aShow, fakeToursDeps, metaAt, ref, tourOf } from '#test/support/tours.ts';

/**
 * docs/design.md#failures-and-retries: a write whose answer was lost may have landed. The show's write
 * (putShowIfNewer, a transaction with its outbox) is applied by DynamoDB and answered 500; the SDK's
 * retry, sent with the same request token, meets a conflict and the write is sent again as a new
 * transaction, which its own first landing refuses (the stored show is no older than the change). The
 * refusal read as "a newer change was stored meanwhile" left the booked show without its schedules:
 * its promoter was never asked for the advance, nor reminded, and the tour manager never told; taken for
 * this change delivered again, it still left its promoter unsaved: a promoter new with this show was
 * not in the office's list, and GET /promoters/{promoterId} answered 404.
 */
describe('a booked show whose write landed while its answer was lost', () => {
  it('puts its schedules in place, and its promoter is asked for the advance', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, tours, schedules, mailer } = fakes;
    const lost = refusedOnceAfterLanding(tours, 'putShowIfNewer');

    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);

    expect(lost()).toBe(true);
    expect(schedules.forShow('show-1').map((s) => s.moment.step)).toContain('advance-request');
    expect((await tours.getShow(ref()))?.effectsPending).toBeUndefined();
    now.value = new Date(stepMoment(aShow(), 'advance-request').scheduledFor);
    for (const due of schedules.firing(now.value)) await takeStep(due, { correlationId: 'c' }, deps);
    expect(mailer.sent.map((m) => [m.to.email, m.kind])).toEqual([
      ['booking@nacht.example', 'advance-request'],
    ]);
  });

  it('stores its promoter, as the office lists them', async () => {
    const fakes = fakeToursDeps({ value: new Date('2027-01-01T00:00:00Z') });
    const { deps, tours } = fakes;
    const lost = refusedOnceAfterLanding(tours, 'putShowIfNewer');

    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);

    expect(lost()).toBe(true);
    expect(await tours.getPromoter(promoterIdOf(aShow().promoter.email))).toMatchObject({
      email: aShow().promoter.email,
    });
  });
});
