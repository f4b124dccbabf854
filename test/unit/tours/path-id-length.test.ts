import { describe, expect, it } from 'vitest';
import { InMemoryTours, officeGet } from '#test/support/tours.ts';

// docs/design.md#routes-and-auth: only a calendar's `.ics` (`{showId}.ics`) is not counted in a path id's
// length; any other id over 128 characters is a 400 naming it, `.ics` at its end or not.
describe('a path id over 128 characters that ends in .ics, on a route that is no calendar', () => {
  it('is a 400 naming the tour id, as for any id over 128 characters', async () => {
    const tourId = `${'t'.repeat(128)}.ics`;
    const result = await officeGet({ tours: new InMemoryTours() }, '/labels/{labelId}/tours/{tourId}', {
      labelId: 'lbl-1',
      tourId,
    });

    expect(result.status, String(result.body)).toBe(400);
    expect(String(result.body)).toContain('tourId: must be at most 128 characters');
  });
});
