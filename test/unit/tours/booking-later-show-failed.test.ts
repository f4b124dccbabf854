import { describe, expect, it } from 'vitest';
import { bookTour } from '#functions/tours/apply-change.ts';
import {
  announcedInHamburg,
  aShow,
  fakeToursDeps,
  metaAt,
  ref,
  stopOnceAt,
  tourOf,
} from '#test/support/tours.ts';

/**
 * A booking writes all its shows before any of their schedules (docs/design.md#tours). A show whose write
 * fails for good (an item too big, a condition that never holds) dead-letters the event; the shows written
 * before it are stored, and must not wait for a redrive, which may fail the same way, for their advance
 * request, reminders, day sheet and press.
 */
describe('a booking whose second show cannot be written', () => {
  it('puts the first show’s schedules in place, then still fails', async () => {
    const fakes = fakeToursDeps({ value: new Date('2027-02-02T00:00:00Z') });
    stopOnceAt(
      fakes.tours,
      'putShowIfNewer',
      'Item size has exceeded the maximum allowed size',
      (show) => show.showId === 'show-2',
    );

    const booking = bookTour(
      tourOf([aShow(), { ...announcedInHamburg, status: 'confirmed' }]),
      metaAt('2027-02-02T00:00:00Z'),
      fakes.deps,
    );

    await expect(booking).rejects.toThrow('Item size has exceeded the maximum allowed size');
    expect(fakes.schedules.forShow('show-1').map(({ moment }) => moment.step)).toContain('day-sheet');
    expect((await fakes.tours.getShow(ref('show-1')))?.effectsPending).toBeUndefined();
    expect(await fakes.tours.getShow(ref('show-2'))).toBeUndefined();
  });
});
