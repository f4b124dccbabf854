import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { announcedInHamburg, aShow, fakeToursDeps, metaAt, raceAt, tourOf } from '#test/support/tours.ts';

/**
 * A booking puts its shows' schedules in place once all are written (docs/design.md#tours): a later change
 * to one of them, landing meanwhile, has put that show's schedules where its own date says, and the
 * booking's older word must not move them back.
 */
describe('a booking whose first show the label changes while the booking writes the second', () => {
  it("leaves that show's schedules at the changed date", async () => {
    const fakes = fakeToursDeps({ value: new Date('2027-02-02T00:00:00Z') });
    raceAt(
      fakes.tours,
      'putShowIfNewer',
      () =>
        applyShowChange(
          'tour-1',
          { type: 'set', show: aShow({ date: '2027-06-20' }) },
          metaAt('2027-02-02T00:00:01Z'),
          fakes.deps,
        ),
      (show) => show.showId === 'show-2',
    );

    await bookTour(
      tourOf([aShow(), { ...announcedInHamburg, status: 'confirmed' }]),
      metaAt('2027-02-02T00:00:00Z'),
      fakes.deps,
    );

    const daySheet = fakes.schedules.forShow('show-1').find(({ moment }) => moment.step === 'day-sheet');
    expect(daySheet?.moment.scheduledFor).toBe('2027-06-19T16:00:00.000Z');
  });
});
