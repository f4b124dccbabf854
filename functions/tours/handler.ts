import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoTours } from '#shared/db/tours.ts';
import { TourBooked, TourDateAdded, TourDateCancelled } from '#shared/events/index.ts';
import { eventHandler, on } from '#shared/lambda/event-handler.ts';
import { bookTour, changeTourDate, type ToursDeps } from './tours.ts';

/** Tours booked by labels, and their dates added or cancelled. */
export const makeHandler = (deps: ToursDeps) =>
  eventHandler('tours', [
    on(TourBooked, (data, metadata) => bookTour(data, metadata, deps)),
    on(TourDateAdded, (data, metadata) => changeTourDate(data, 'booked', metadata, deps)),
    on(TourDateCancelled, (data, metadata) => changeTourDate(data, 'cancelled', metadata, deps)),
  ]);

export const liveDeps = (): ToursDeps => dynamoTours(dynamo(), config().TABLE_NAME);

export const handler = makeHandler(liveDeps());
