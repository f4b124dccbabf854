import type { TourDateRecord, TourRecord, Tours } from '#shared/db/tours.ts';

/** Tours in memory, with the table's rule: a write applies only when newer (see test/contracts/tours.contract.ts). */
export class InMemoryTours implements Tours {
  readonly tours = new Map<string, TourRecord>();
  readonly dates = new Map<string, TourDateRecord>();

  async saveTour(tour: TourRecord) {
    return newer(this.tours, JSON.stringify([tour.labelId, tour.tourId]), tour);
  }

  async saveTourDate(date: TourDateRecord) {
    return newer(this.dates, JSON.stringify([date.labelId, date.tourId, date.dateId]), date);
  }
}

function newer<T extends { occurredAt: string }>(items: Map<string, T>, key: string, item: T): boolean {
  const current = items.get(key);
  if (current && current.occurredAt >= item.occurredAt) return false;
  items.set(key, structuredClone(item));
  return true;
}
