import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { managementApi } from '#functions/management/routes.ts';
import { tourRoutes } from '#functions/office/tours.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { InMemoryTours } from '#test/support/tours.ts';

// docs/design.md#routes-and-auth: only a calendar's `.ics` (`{showId}.ics`) is not counted in a path id's
// length; any other id over 128 characters is a 400 naming it, `.ics` at its end or not.
async function get(
  path: string,
  routeKey: string,
  pathParameters: Record<string, string>,
): Promise<HttpResult> {
  const api = managementApi(
    'office',
    async () => 'key',
    tourRoutes({
      tours: new InMemoryTours(),
      tourManagerLink: async () => 'https://tm',
      now: () => new Date('2027-01-02'),
    }),
  );
  return (await api(
    {
      version: '2.0',
      routeKey,
      rawPath: path,
      rawQueryString: '',
      headers: { authorization: 'Bearer key' },
      requestContext: { http: { method: 'GET', path } },
      pathParameters,
      isBase64Encoded: false,
    } as unknown as HttpEvent,
    {
      getRemainingTimeInMillis: () => 10_000,
      awsRequestId: 'r',
      functionName: 'office',
    } as unknown as Context,
  )) as HttpResult;
}

describe('a path id over 128 characters that ends in .ics, on a route that is no calendar', () => {
  it('is a 400 naming the tour id, as for any id over 128 characters', async () => {
    const tourId = `${'t'.repeat(128)}.ics`;
    const result = await get(`/labels/lbl-1/tours/${tourId}`, 'GET /labels/{labelId}/tours/{tourId}', {
      labelId: 'lbl-1',
      tourId,
    });

    expect(result.statusCode, String(result.body)).toBe(400);
    expect(String(result.body)).toContain('tourId: must be at most 128 characters');
  });
});
