import { describe, expect, it } from 'vitest';
import { bookTour } from '#functions/tours/apply-change.ts';
import { aShow, fakeToursDeps, metaAt, runOnTo, stopOnceAt, tourOf } from '#test/support/tours.ts';

/**
 * docs/design.md#tours and #failures-and-retries: a show's schedules are put in place after it is stored
 * (performSchedules), and a change whose schedules failed is delivered again and redoes them (effectsPending).
 * A step still ahead when the show was written got no Show Step Due at once; its moment passed before the
 * redelivery, it is late, as a schedule firing late is, and is taken then. The label books a show on 14 May
 * in Berlin at 07:58 UTC on 16 April, two minutes before its advance request (10:00 Berlin, 08:00 UTC, 28
 * days before); the first UpsertSchedule is throttled and Lambda delivers the booking again at 08:01. Given
 * no schedule then (the request's moment past, as if it had been skipped at booking), the promoter was
 * never asked: the reminders were the first word they had.
 */
describe('a show booked two minutes before its advance request, its schedules redone after it', () => {
  it('asks the promoter for the advance once the booking is delivered again', async () => {
    const now = { value: new Date('2027-04-16T07:58:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, mailer, schedules } = fakes;
    const show = aShow({ date: '2027-05-14' });
    const booking = metaAt(now.value.toISOString());
    stopOnceAt(schedules, 'upsert', 'ThrottlingException');
    await expect(bookTour(tourOf([show]), booking, deps)).rejects.toThrow('ThrottlingException');

    now.value = new Date('2027-04-16T08:01:00Z');
    await bookTour(tourOf([show]), booking, deps);
    await runOnTo({ now, fakes }, '2027-04-16T08:03:00Z');

    expect(mailer.sent.map((mail) => [mail.kind, mail.to.email])).toEqual([
      ['advance-request', show.promoter.email],
    ]);
  });
});
