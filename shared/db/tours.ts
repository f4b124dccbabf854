import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './conditions.ts';
import { keyOf } from './keys.ts';

/**
 * Tours as booked by labels (briefing promoters, press and the tour manager builds on these).
 *
 * Access patterns:
 * - a tour with its dates: pk = TOUR#<labelId>#<tourId>, sk = TOUR (the tour) and sk = DATE#<dateId> (each date)
 */
export const tourKey = (labelId: string, tourId: string) => ({
  pk: keyOf('TOUR', labelId, tourId),
  sk: 'TOUR',
});
export const tourDateKey = (labelId: string, tourId: string, dateId: string) => ({
  pk: keyOf('TOUR', labelId, tourId),
  sk: keyOf('DATE', dateId),
});

export interface TourRecord {
  labelId: string;
  tourId: string;
  artist: { name: string };
  genres?: string[];
  tourManager: { name: string; email: string };
  occurredAt: string;
}

export interface TourDateRecord {
  labelId: string;
  tourId: string;
  dateId: string;
  date: string;
  city: string;
  country: string;
  venue: string;
  promoter: { name: string; email: string };
  status: 'booked' | 'cancelled';
  occurredAt: string;
}

/** Writes apply only when newer than what is stored (EventBridge keeps no order, docs/design.md#ordering-by-the-labels-timestamp). */
const newer = 'attribute_not_exists(occurredAt) OR occurredAt < :occurredAt';

/** Tours and their dates; each write applies only when newer than what is stored. */
export interface Tours {
  /** False when the stored tour is as new or newer (by `occurredAt`): the write is ignored. */
  saveTour(tour: TourRecord): Promise<boolean>;
  /** False when the stored date is as new or newer (by `occurredAt`): the write is ignored. */
  saveTourDate(date: TourDateRecord): Promise<boolean>;
}

export const dynamoTours = (db: DynamoDBDocumentClient, table: string): Tours => ({
  saveTour: (tour) => saveTour(db, table, tour),
  saveTourDate: (date) => saveTourDate(db, table, date),
});

async function saveTour(db: DynamoDBDocumentClient, table: string, tour: TourRecord): Promise<boolean> {
  return conditional(() =>
    db.send(
      new PutCommand({
        TableName: table,
        Item: { ...tourKey(tour.labelId, tour.tourId), ...tour },
        ConditionExpression: newer,
        ExpressionAttributeValues: { ':occurredAt': tour.occurredAt },
      }),
    ),
  );
}

async function saveTourDate(
  db: DynamoDBDocumentClient,
  table: string,
  date: TourDateRecord,
): Promise<boolean> {
  const { labelId, tourId, dateId, ...rest } = date;
  const names = Object.keys(rest);
  return conditional(() =>
    db.send(
      new UpdateCommand({
        TableName: table,
        Key: tourDateKey(labelId, tourId, dateId),
        UpdateExpression: `SET labelId = :labelId, tourId = :tourId, dateId = :dateId, ${names.map((n) => `#${n} = :${n}`).join(', ')}`,
        ConditionExpression: newer,
        ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
        ExpressionAttributeValues: {
          ':labelId': labelId,
          ':tourId': tourId,
          ':dateId': dateId,
          ...Object.fromEntries(names.map((n) => [`:${n}`, rest[n as keyof typeof rest]])),
        },
      }),
    ),
  );
}

async function conditional(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
