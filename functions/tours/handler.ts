import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { saveTour, saveTourDate, type TourDateRecord, type TourRecord } from '#shared/db/tours.ts';
import { type Metadata, TourBooked, TourDateAdded, TourDateCancelled } from '#shared/events/index.ts';

export interface ToursDeps {
  saveTour(tour: TourRecord): Promise<boolean>;
  saveTourDate(date: TourDateRecord): Promise<boolean>;
}

/**
 * Keeps booked tours and their dates, newest change wins. Briefing promoters, regional press and the
 * tour manager is the tours issue's work and builds on these records.
 */
export const makeHandler = (deps: ToursDeps) =>
  middy(async (event: EventBridgeEvent<string, unknown>) => {
    switch (event['detail-type']) {
      case TourBooked.detailType: {
        const { metadata, data } = TourBooked.detail.parse(event.detail);
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
        return;
      }
      case TourDateAdded.detailType:
      case TourDateCancelled.detailType: {
        const contract =
          event['detail-type'] === TourDateAdded.detailType ? TourDateAdded : TourDateCancelled;
        const { metadata, data } = contract.detail.parse(event.detail);
        await deps.saveTourDate({
          ...data.date,
          labelId: labelOf(metadata),
          tourId: data.tourId,
          status: contract === TourDateAdded ? 'booked' : 'cancelled',
          occurredAt: metadata.occurredAt,
        });
        return;
      }
      default:
        throw new Error(`tours does not handle ${event['detail-type']}`);
    }
  });

/** Tours come from a label's webhook; events without a label cannot be filed and are retried, then dead-lettered. */
const labelOf = (metadata: Metadata): string => {
  if (!metadata.labelId) throw new Error(`event ${metadata.eventId} has no labelId`);
  return metadata.labelId;
};

export const liveDeps = (): ToursDeps => ({
  saveTour: (tour) => saveTour(dynamo(), config().TABLE_NAME, tour),
  saveTourDate: (date) => saveTourDate(dynamo(), config().TABLE_NAME, date),
});

export const handler = makeHandler(liveDeps());
