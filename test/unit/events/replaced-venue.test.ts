import { describe, expect, it } from 'vitest';
import { ShowStepDue } from '#shared/events/index.ts';
import { sampleShow } from '#shared/events/tour-booked.ts';

/**
 * A change's press-change step carries the venue the change replaced, read from the show as stored: a show
 * stored before names of nothing, or holding control characters, were refused (December 2026) may carry
 * one, and the step must still be taken, its "Changed" mail stating what the show was.
 */
describe('a Show Step Due carrying the venue a change replaced', () => {
  it('is read when that venue, stored before the checks, has a name of nothing and an address with a control character', () => {
    const venue = {
      ...sampleShow.venue,
      name: '\u200b\u2060',
      address: 'Columbiadamm 13\u0000',
      city: 'Ber\tlin',
    };
    const step = {
      labelId: 'lbl-1',
      tourId: 'tour-1',
      showId: 'show-1',
      step: 'press-change',
      scheduledFor: '2027-02-02T00:00:00.000Z',
      replaced: { date: sampleShow.date, times: sampleShow.times, venue },
    };

    const parsed = ShowStepDue.data.safeParse(step);

    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.data?.replaced?.venue).toEqual(venue);
  });
});
