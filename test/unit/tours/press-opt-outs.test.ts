import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour, type ChangeMeta } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import { aShow, fakeToursDeps } from '#test/support/tours.ts';

/**
 * tour press is campaign mail (one-click unsubscribe); an outlet that unsubscribed after the
 * press announcement must get no further press mail (cancellation, change, moved).
 */
const tourOf = (shows: Show[]) => ({
  tourId: 'tour-1',
  artist: { name: 'The Midnight Echoes' },
  tourManager: { name: 'Sam Reyes', email: 'sam@tm.example' },
  crew: [{ name: 'Jo Kim', email: 'jo@crew.example' }],
  shows,
  genres: ['synthpop'],
});
let events = 0;
const metaAt = (occurredAt: string): ChangeMeta => ({
  labelId: 'lbl-1',
  eventId: `evt-rv-${++events}`,
  correlationId: 'corr-1',
  occurredAt,
});
const ref = (showId = 'show-1') => ({ labelId: 'lbl-1', tourId: 'tour-1', showId });
const berlin = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

describe('tour press after a one-click unsubscribe', () => {
  it('sends no press cancellation to an outlet that unsubscribed after the announcement', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const { deps, mailer, outlets, tours } = fakeToursDeps(now);
    outlets.push({
      id: 'de',
      name: 'Outlet de',
      email: 'de@press.example',
      kind: 'press',
      genres: ['synthpop'],
      territories: ['DE'],
      createdAt: '2027-01-01T00:00:00Z',
      updatedAt: '2027-01-01T00:00:00Z',
    });
    await bookTour(tourOf([berlin]), metaAt('2027-02-02T00:00:00Z'), deps);
    await takeStep(
      { ...ref(), step: 'press-announcement', scheduledFor: '2027-02-01T09:00:00.000Z' },
      { correlationId: 'c' },
      deps,
    );
    expect(mailer.sent.map((m) => [m.to.email, m.kind])).toEqual([
      ['de@press.example', 'press-announcement'],
    ]);

    // The outlet clicks the one-click unsubscribe link of that press mail (POST /u): the directory
    // now has it unsubscribed, as markUnsubscribed leaves it.
    outlets[0] = { ...outlets[0], unsubscribedAt: '2027-02-03T00:00:00.000Z' };

    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt('2027-02-04T00:00:00Z'),
      deps,
    );
    const cancellation = tours.outbox.find(
      (e) =>
        e.detailType === 'Show Step Due' && (e.detail.data as { step: string }).step === 'press-cancellation',
    );
    await takeStep(cancellation?.detail.data as never, { correlationId: 'c' }, deps);

    expect(mailer.sent.map((m) => [m.to.email, m.kind])).toEqual([
      ['de@press.example', 'press-announcement'],
    ]);
  });
});
