import { describe, expect, it } from 'vitest';
import { type TourRoutesDeps, tourRoutes } from '#functions/office/tours.ts';
import { WriteConflictError } from '#shared/db/conflicts.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { errorResponse } from '#shared/http/responses.ts';

/**
 * addGuests goes through retryingConflicts, so POST .../guests ends in WriteConflictError when the
 * show's item keeps being held by transactions, which the route answers with 503 + Retry-After
 * (docs/design.md#failures-and-retries). The API document (docs/openapi.json) must say so, as it does
 * for the tour manager's form that adds guests the same way.
 */
describe('the 503 of a write that kept meeting concurrent writes, in the office routes', () => {
  it('documents 503 with Retry-After on POST /labels/{labelId}/tours/{tourId}/shows/{showId}/guests, which answers it', async () => {
    const deps = {
      now: () => new Date('2027-03-01T10:00:00Z'),
      tours: {
        addGuests: async () => {
          throw new WriteConflictError(5, new Error('TransactionConflictException'));
        },
      },
    } as unknown as TourRoutesDeps;
    const route = tourRoutes(deps).find(
      (r) => r.method === 'POST' && r.path === '/labels/{labelId}/tours/{tourId}/shows/{showId}/guests',
    )!;

    const answered = await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
      pathParameters: { labelId: 'l', tourId: 't', showId: 's' },
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ guests: [{ name: 'Ada Lovelace' }] }),
      isBase64Encoded: false,
    } as never).catch(errorResponse);

    expect(answered.statusCode).toBe(503);
    expect(Object.keys(route.doc.responses)).toContain('503');
  });
});
