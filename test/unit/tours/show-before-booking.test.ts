import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import type { EventData, ShowStepDue } from '#shared/events/index.ts';
import { aShow, fakeToursDeps, metaAt, tourOf } from '#test/support/tours.ts';

describe('a show whose change is applied before its tour’s booking (delivered out of order)', () => {
  it('asks the promoter for the advance due at once when the booking has arrived, where the step was dropped as of an unknown show', async () => {
    // Thirteen days out: the advance request is due at once. The label's update (11:59) is applied before its booking (11:58).
    const now = { value: new Date('2027-05-01T12:00:00Z') };
    const { deps, tours, mailer } = fakeToursDeps(now);
    const show = aShow({ date: '2027-05-14' });
    await applyShowChange('tour-1', { type: 'set', show }, metaAt('2027-05-01T11:59:00Z'), deps);
    const [due] = tours.outbox
      .filter((e) => e.detailType === 'Show Step Due')
      .map((e) => e.detail.data as EventData<typeof ShowStepDue>);

    const beforeBooking = takeStep(due, { correlationId: 'c' }, deps);
    await expect(beforeBooking).rejects.toThrow(/not booked/);
    await bookTour(tourOf([show]), metaAt('2027-05-01T11:58:00Z'), deps);
    const retried = await takeStep(due, { correlationId: 'c' }, deps);

    expect(due.step).toBe('advance-request');
    expect(retried).toEqual({ outcome: 'taken', mailed: 1 });
    expect(mailer.sent.map((m) => [m.kind, m.to.email])).toEqual([['advance-request', show.promoter.email]]);
  });
});
