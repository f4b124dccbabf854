import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { managementApi } from '#functions/management/routes.ts';
import { tourRoutes } from '#functions/office/tours.ts';
import { promoterIdOf } from '#shared/db/tours.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { aShow, InMemoryTours } from '#test/support/tours.ts';

/** GET the calendar of a show stored with `showId`, through the office's API (its middleware included). */
async function calendarOfShow(showId: string): Promise<HttpResult> {
  const show = aShow({ showId });
  const tours = new InMemoryTours();
  await tours.saveTour({
    labelId: 'lbl-1',
    tourId: 'tour-1',
    artist: { name: 'The Midnight Echoes' },
    tourManager: { name: 'Sam', email: 'sam@tm.example' },
    occurredAt: '2027-01-01T00:00:00.000Z',
  });
  await tours.putShowIfNewer(
    {
      labelId: 'lbl-1',
      tourId: 'tour-1',
      showId,
      show,
      promoterId: promoterIdOf(show.promoter.email),
      occurredAt: '2027-01-01T00:00:00.000Z',
      lastEventId: 'e',
      lastCorrelationId: 'c',
      createdAt: '2027-01-01T00:00:00.000Z',
      updatedAt: '2027-01-01T00:00:00.000Z',
    },
    [],
  );
  const api = managementApi(
    'office',
    async () => 'key',
    tourRoutes({ tours, tourManagerLink: async () => 'https://tm', now: () => new Date('2027-01-02') }),
  );
  const path = `/labels/lbl-1/tours/tour-1/shows/${encodeURIComponent(showId)}.ics`;
  return (await api(
    {
      version: '2.0',
      routeKey: 'GET /labels/{labelId}/tours/{tourId}/shows/{showId}',
      rawPath: path,
      rawQueryString: '',
      headers: { authorization: 'Bearer key' },
      requestContext: { http: { method: 'GET', path } },
      pathParameters: { labelId: 'lbl-1', tourId: 'tour-1', showId: `${showId}.ics` },
      isBase64Encoded: false,
    } as unknown as HttpEvent,
    {
      getRemainingTimeInMillis: () => 10_000,
      awsRequestId: 'r',
      functionName: 'office',
    } as unknown as Context,
  )) as HttpResult;
}

// A show's id may be 128 characters (the Show schema's limit); its calendar is the same path with `.ics`.
describe('GET /labels/{labelId}/tours/{tourId}/shows/{showId}.ics', () => {
  it("answers the calendar of a show whose id is 128 characters long, as the route documents, not a 400 on the id's length", async () => {
    const result = await calendarOfShow('s'.repeat(128));

    expect(result.statusCode, String(result.body)).toBe(200);
    expect(result.headers?.['content-type']).toMatch(/^text\/calendar/);
  });

  it('still refuses a show id over 128 characters before it reaches a key', async () => {
    const result = await calendarOfShow('s'.repeat(129));

    expect(result.statusCode).toBe(400);
    expect(String(result.body)).toContain('showId: must be at most 128 characters');
  });

  it('names the download after a show id holding quotes, a backslash and non-ASCII without breaking the header (RFC 6266)', async () => {
    const result = await calendarOfShow('Zürich "late" \\ 2');

    expect(result.statusCode, String(result.body)).toBe(200);
    expect(result.headers?.['content-disposition']).toBe(
      `attachment; filename="Z_rich \\"late\\" \\\\ 2.ics"; filename*=UTF-8''Z%C3%BCrich%20%22late%22%20%5C%202.ics`,
    );
  });
});
