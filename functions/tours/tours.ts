import type { TourDateRecord, Tours } from '#shared/db/tours.ts';
import type { EventData, Metadata, TourBooked, TourDateAdded } from '#shared/events/index.ts';

export type ToursDeps = Tours;

/**
 * Keeps a booked tour and each of its dates, newest change wins (see
 * docs/design.md#ordering-by-the-labels-timestamp). Briefing promoters, regional press and the tour
 * manager builds on these records.
 */
export async function bookTour(data: EventData<typeof TourBooked>, metadata: Metadata, deps: ToursDeps) {
  const labelId = labelOf(metadata);
  const { dates, ...tour } = data;
  await deps.saveTour({ ...tour, labelId, occurredAt: metadata.occurredAt });
  for (const date of dates) {
    await deps.saveTourDate({
      ...date,
      labelId,
      tourId: tour.tourId,
      status: 'booked',
      occurredAt: metadata.occurredAt,
    });
  }
}

/** A date added to a tour (`booked`) or cancelled. */
export async function changeTourDate(
  data: EventData<typeof TourDateAdded>,
  status: TourDateRecord['status'],
  metadata: Metadata,
  deps: ToursDeps,
) {
  await deps.saveTourDate({
    ...data.date,
    labelId: labelOf(metadata),
    tourId: data.tourId,
    status,
    occurredAt: metadata.occurredAt,
  });
}

/** Tours come from a label's webhook; events without a label cannot be filed and are retried, then dead-lettered. */
export const labelOf = (metadata: Metadata): string => {
  if (!metadata.labelId) throw new Error(`event ${metadata.eventId} has no labelId`);
  return metadata.labelId;
};
