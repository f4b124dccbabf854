import { describe, expect, it } from 'vitest';
import type { TourDateRecord, TourRecord, Tours } from '#shared/db/tours.ts';
import { uniqueId } from '#test/support/cloud.ts';

/** What every Tours store does, on the fake and on DynamoDB Local (see outlet-directory.contract.ts). */
export function describeToursContract(name: string, makeStore: () => Tours) {
  const at = (day: number) => `2027-01-${String(day).padStart(2, '0')}T10:00:00.000Z`;
  const aTour = (overrides: Partial<TourRecord> = {}): TourRecord => ({
    labelId: uniqueId('lbl'),
    tourId: uniqueId('tour'),
    artist: { name: 'The Midnight Echoes' },
    tourManager: { name: 'Ann Lee', email: 'ann@label.example' },
    occurredAt: at(5),
    ...overrides,
  });
  const aDate = (tour: TourRecord, overrides: Partial<TourDateRecord> = {}): TourDateRecord => ({
    labelId: tour.labelId,
    tourId: tour.tourId,
    dateId: uniqueId('td'),
    date: '2027-05-01',
    city: 'Berlin',
    country: 'DE',
    venue: 'Astra',
    promoter: { name: 'Promo GmbH', email: 'promo@promoter.example' },
    status: 'booked',
    occurredAt: at(5),
    ...overrides,
  });

  describe(`Tours contract: ${name}`, () => {
    it('keeps the newest change of a tour: an older or equally old one is ignored', async () => {
      const store = makeStore();
      const tour = aTour({ occurredAt: at(5) });

      expect(await store.saveTour(tour)).toBe(true);
      expect(await store.saveTour({ ...tour, occurredAt: at(4) })).toBe(false);
      expect(await store.saveTour({ ...tour, artist: { name: 'Other' } })).toBe(false);
      expect(await store.saveTour({ ...tour, occurredAt: at(6) })).toBe(true);
      expect(await store.saveTour({ ...tour, occurredAt: at(5) })).toBe(false);
    });

    it('keeps the newest change of each date: a cancellation that arrives before the booking it follows wins', async () => {
      const store = makeStore();
      const tour = aTour();
      const date = aDate(tour);

      expect(await store.saveTourDate({ ...date, status: 'cancelled', occurredAt: at(7) })).toBe(true);
      expect(await store.saveTourDate({ ...date, status: 'booked', occurredAt: at(6) })).toBe(false);
      expect(await store.saveTourDate({ ...date, status: 'booked', occurredAt: at(7) })).toBe(false);
      expect(await store.saveTourDate({ ...date, status: 'booked', occurredAt: at(8) })).toBe(true);
    });

    it('orders each tour and each date on its own', async () => {
      const store = makeStore();
      const tour = aTour({ occurredAt: at(9) });
      const date = aDate(tour, { occurredAt: at(9) });
      await store.saveTour(tour);
      await store.saveTourDate(date);

      expect(await store.saveTourDate(aDate(tour, { occurredAt: at(1) }))).toBe(true);
      expect(await store.saveTour(aTour({ labelId: tour.labelId, occurredAt: at(1) }))).toBe(true);
      expect(await store.saveTour(aTour({ tourId: tour.tourId, occurredAt: at(1) }))).toBe(true);
      expect(await store.saveTourDate({ ...date, labelId: uniqueId('lbl'), occurredAt: at(1) })).toBe(true);
    });
  });
}
