import { describe, expect, it } from 'vitest';
import { tourRoutes } from '#functions/office/tours.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import type { StoredShow } from '#shared/tours.ts';
import { InMemoryTours } from '#test/support/tours.ts';

// A guest's plus-ones is a whole number from 0 to 10 (shared/tours.ts): 11 or -1 is refused for the
// limit it breaks, not as "not a whole number", which it is.
describe('POST .../shows/{showId}/guests with plusOnes out of 0-10', () => {
  it('answers 400 naming the limit it breaks, not that the number is not whole', async () => {
    const tours = new InMemoryTours();
    const ref = { labelId: 'acme', tourId: 't1', showId: 's1' };
    tours.shows.set(JSON.stringify([ref.labelId, ref.tourId, ref.showId]), {
      ...ref,
    } as unknown as StoredShow);
    const route = tourRoutes({ tours, tourManagerLink: async () => '', now: () => new Date() }).find(
      (r) => r.method === 'POST' && r.path.endsWith('/guests'),
    )!;

    const answers = await Promise.all(
      [11, -1].map((plusOnes) =>
        (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
          pathParameters: ref,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ guests: [{ name: 'Alex Doe', plusOnes }] }),
          isBase64Encoded: false,
        } as never).then(
          (result) => ({ status: result.statusCode, issues: undefined }),
          (error: { status?: number; body?: { issues?: { path: string; message: string }[] } }) => ({
            status: error.status ?? 500,
            issues: error.body?.issues,
          }),
        ),
      ),
    );

    expect(answers).toEqual([
      { status: 400, issues: [{ path: 'guests.0.plusOnes', message: expect.stringMatching(/\b10\b/) }] },
      { status: 400, issues: [{ path: 'guests.0.plusOnes', message: expect.stringMatching(/\b0\b/) }] },
    ]);
    expect(await tours.getShow(ref)).not.toHaveProperty('guests');
  });
});
