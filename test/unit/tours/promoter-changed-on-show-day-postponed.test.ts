import { describe, expect, it } from 'vitest';
import { bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { aShow, changeAt, fakeToursDeps, metaAt, runDueSteps, tourOf } from '#test/support/tours.ts';

/**
 * docs/design.md#tours: a show given to another promoter is advanced again with them. Given to them from
 * show day 00:00 the answers stand (nobody could give new ones) and `promoterSince` moves on; the advance
 * steps the old promoter was sent are not the new one's. The label gives the 14 May show in Berlin, its
 * promoter asked and reminded and the tour manager told the advance is overdue, to promoter B at 10:00 on
 * show day, then postpones it to 25 June: B's form takes answers again until then. Taken as B's, the old
 * promoter's steps kept B from ever being asked (the request's firing for 28 May found it taken before).
 */
describe('a show given to another promoter on its day, then postponed', () => {
  it('asks the new promoter for the advance at the new date’s request', async () => {
    const now = { value: new Date('2027-03-01T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, mailer, schedules } = fakes;
    const show = aShow({ date: '2027-05-14' });
    await bookTour(tourOf([show]), metaAt(now.value.toISOString()), deps);
    /** The clock at `at`, the schedules firing by then and the steps they leave due taken. */
    const runTo = async (at: string) => {
      now.value = new Date(at);
      for (const due of schedules.firing(now.value)) await takeStep(due, { correlationId: 'c' }, deps);
      await runDueSteps(fakes, now);
    };
    await runTo('2027-05-05T00:00:00Z');
    const promoterB = { name: 'Lichtspiel Live', email: 'b@lichtspiel.example' };
    await changeAt({ now, deps }, '2027-05-14T08:00:00.000Z', {
      type: 'set',
      show: { ...show, promoter: promoterB },
    });
    await runDueSteps(fakes, now);

    await changeAt({ now, deps }, '2027-05-14T10:00:00.000Z', {
      type: 'set',
      show: { ...show, promoter: promoterB, date: '2027-06-25' },
    });
    await runDueSteps(fakes, now);
    await runTo('2027-05-28T08:01:00Z');

    expect(
      mailer.sent.filter((mail) => mail.to.email === show.promoter.email).map((mail) => mail.kind),
    ).toEqual(['advance-request', 'advance-reminder-1', 'advance-reminder-2']);
    expect(mailer.sent.filter((mail) => mail.to.email === promoterB.email).map((mail) => mail.kind)).toEqual([
      'advance-request',
    ]);
  });
});
