import { describe, expect, it } from 'vitest';
import { tourRoutes } from '#functions/office/tours.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import type { StoredShow } from '#shared/tours.ts';
import { InMemoryTours } from '#test/support/tours.ts';

// Adding guests answers 201, as its API document says.
describe('POST .../shows/{showId}/guests', () => {
  it('answers a status its API document lists', async () => {
    const tours = new InMemoryTours();
    const ref = { labelId: 'acme', tourId: 't1', showId: 's1' };
    tours.shows.set(JSON.stringify([ref.labelId, ref.tourId, ref.showId]), {
      ...ref,
    } as unknown as StoredShow);
    const route = tourRoutes({ tours, tourManagerLink: async () => '', now: () => new Date() }).find(
      (r) => r.method === 'POST' && r.path.endsWith('/guests'),
    )!;
    const result = await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
      pathParameters: ref,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ guests: [{ name: 'Alex Doe' }] }),
      isBase64Encoded: false,
    } as never);
    expect(Object.keys(route.doc.responses)).toContain(String(result.statusCode));
  });
});
