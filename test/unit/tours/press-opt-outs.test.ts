import { describe, expect, it } from 'vitest';
import { bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import {
  aPressOutlet,
  announcedShow as berlin,
  cancelShow,
  fakeToursDeps,
  metaAt,
  ref,
  tourOf,
} from '#test/support/tours.ts';

/**
 * tour press is campaign mail (one-click unsubscribe); an outlet that unsubscribed after the
 * press announcement must get no further press mail (cancellation, change, moved).
 */
describe('tour press after a one-click unsubscribe', () => {
  it('sends no press cancellation to an outlet that unsubscribed after the announcement', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const { deps, mailer, outlets, tours } = fakeToursDeps(now);
    outlets.push(aPressOutlet('de', ['DE']));
    await bookTour({ ...tourOf([berlin]), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), deps);
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

    await cancelShow({ deps, tours }, 'show-1', '2027-02-04T00:00:00Z');

    expect(mailer.sent.map((m) => [m.to.email, m.kind])).toEqual([
      ['de@press.example', 'press-announcement'],
    ]);
  });
});
