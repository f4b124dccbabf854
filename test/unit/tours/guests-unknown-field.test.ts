import { describe, expect, it } from 'vitest';
import { tourRoutes } from '#functions/office/tours.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import type { StoredShow } from '#shared/tours.ts';
import { InMemoryTours } from '#test/support/tours.ts';

// A guest list's body is closed down to each guest (docs/design.md#routes-and-auth): a misspelt
// `plusOne` would otherwise add the guest with no plus-ones and a 201.
describe('POST .../shows/{showId}/guests with a field a guest does not have', () => {
  it('answers 400 naming the guest and the field, and adds nobody', async () => {
    const tours = new InMemoryTours();
    const ref = { labelId: 'acme', tourId: 't1', showId: 's1' };
    tours.shows.set(JSON.stringify([ref.labelId, ref.tourId, ref.showId]), {
      ...ref,
    } as unknown as StoredShow);
    const route = tourRoutes({ tours, tourManagerLink: async () => '', now: () => new Date() }).find(
      (r) => r.method === 'POST' && r.path.endsWith('/guests'),
    )!;

    const answer = await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
      pathParameters: ref,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ guests: [{ name: 'Alex Doe' }, { name: 'Sam Roe', plusOne: 2 }] }),
      isBase64Encoded: false,
    } as never).then(
      (result) => ({ status: result.statusCode, body: JSON.parse(result.body!) }),
      (error: { status?: number; body?: unknown }) => ({ status: error.status ?? 500, body: error.body }),
    );

    expect(answer).toEqual({
      status: 400,
      body: expect.objectContaining({
        issues: [{ path: 'guests.1.plusOne', message: 'is not a known field' }],
      }),
    });
    expect(await tours.getShow(ref)).not.toHaveProperty('guests');
  });
});

// In JSON a guest's plus-ones is a number: `true`, `null` or `"2"` is a 400 naming it, not a guest with
// 1, 0 or 2 plus-ones read into it (the tour manager's page reads its form's text as a number).
describe('POST .../shows/{showId}/guests with plusOnes that is not a number', () => {
  it('answers 400 naming the field, and adds nobody', async () => {
    const tours = new InMemoryTours();
    const ref = { labelId: 'acme', tourId: 't1', showId: 's1' };
    tours.shows.set(JSON.stringify([ref.labelId, ref.tourId, ref.showId]), {
      ...ref,
    } as unknown as StoredShow);
    const route = tourRoutes({ tours, tourManagerLink: async () => '', now: () => new Date() }).find(
      (r) => r.method === 'POST' && r.path.endsWith('/guests'),
    )!;

    const answers = await Promise.all(
      [true, null, '2'].map((plusOnes) =>
        (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
          pathParameters: ref,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ guests: [{ name: 'Alex Doe', plusOnes }] }),
          isBase64Encoded: false,
        } as never).then(
          (result) => ({ status: result.statusCode, path: undefined }),
          (error: { status?: number; body?: { issues?: { path: string }[] } }) => ({
            status: error.status ?? 500,
            path: error.body?.issues?.map((issue) => issue.path).join(),
          }),
        ),
      ),
    );

    expect(answers).toEqual([
      { status: 400, path: 'guests.0.plusOnes' },
      { status: 400, path: 'guests.0.plusOnes' },
      { status: 400, path: 'guests.0.plusOnes' },
    ]);
    expect(await tours.getShow(ref)).not.toHaveProperty('guests');
  });
});
