import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/tours/handler.ts';
import { buildDetail, TourBooked, TourDateCancelled } from '#shared/events/index.ts';
import { anEvent } from '#test/support/events.ts';
import { InMemoryTours } from '#test/support/tours.ts';

describe('tours', () => {
  it('keeps a booked tour and each of its dates under its label', async () => {
    const store = new InMemoryTours();
    const detail = buildDetail(TourBooked, TourBooked.sample, { labelId: 'lbl-1' });

    await makeHandler(store)(anEvent(TourBooked, detail), {} as Context);

    expect([...store.tours.values()]).toEqual([
      expect.objectContaining({ labelId: 'lbl-1', tourId: 'tour-2027-eu' }),
    ]);
    expect([...store.dates.values()]).toEqual([
      expect.objectContaining({ dateId: 'td-berlin-1', status: 'booked' }),
    ]);
  });

  it('marks a cancelled date cancelled', async () => {
    const store = new InMemoryTours();
    const detail = buildDetail(TourDateCancelled, TourDateCancelled.sample, { labelId: 'lbl-1' });

    await makeHandler(store)(anEvent(TourDateCancelled, detail), {} as Context);

    expect([...store.dates.values()]).toEqual([expect.objectContaining({ status: 'cancelled' })]);
  });

  it('refuses a tour without a label, so it is retried and dead-lettered rather than filed nowhere', async () => {
    const store = new InMemoryTours();
    const detail = buildDetail(TourBooked, TourBooked.sample);

    await expect(makeHandler(store)(anEvent(TourBooked, detail), {} as Context)).rejects.toThrow(/labelId/);
    expect(store.tours.size).toBe(0);
  });
});
