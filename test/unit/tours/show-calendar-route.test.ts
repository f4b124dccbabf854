import { describe, expect, it } from 'vitest';
import type { ApiAnswer } from '#test/support/api.ts';
import { aShow, InMemoryTours, officeGet, storeTourWithShow } from '#test/support/tours.ts';

/** GET the calendar of a show stored with `showId`, through the office's API (its middleware included). */
async function calendarOfShow(showId: string): Promise<ApiAnswer> {
  const tours = new InMemoryTours();
  await storeTourWithShow(tours, aShow({ showId }));
  return officeGet({ tours }, '/labels/{labelId}/tours/{tourId}/shows/{showId}', {
    labelId: 'lbl-1',
    tourId: 'tour-1',
    showId: `${showId}.ics`,
  });
}

// A show's id may be 128 characters (the Show schema's limit); its calendar is the same path with `.ics`.
describe('GET /labels/{labelId}/tours/{tourId}/shows/{showId}.ics', () => {
  it("answers the calendar of a show whose id is 128 characters long, as the route documents, not a 400 on the id's length", async () => {
    const result = await calendarOfShow('s'.repeat(128));

    expect(result.status, String(result.body)).toBe(200);
    expect(result.headers?.['content-type']).toMatch(/^text\/calendar/);
  });

  it('still refuses a show id over 128 characters before it reaches a key', async () => {
    const result = await calendarOfShow('s'.repeat(129));

    expect(result.status).toBe(400);
    expect(String(result.body)).toContain('showId: must be at most 128 characters');
  });

  it('names the download after a show id holding quotes, a backslash and non-ASCII without breaking the header (RFC 6266)', async () => {
    const result = await calendarOfShow('Zürich "late" \\ 2');

    expect(result.status, String(result.body)).toBe(200);
    expect(result.headers?.['content-disposition']).toBe(
      `attachment; filename="Z_rich \\"late\\" \\\\ 2.ics"; filename*=UTF-8''Z%C3%BCrich%20%22late%22%20%5C%202.ics`,
    );
  });
});
