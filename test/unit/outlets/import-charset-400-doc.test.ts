import { describe, expect, it } from 'vitest';
import { type OutletRoutesDeps, outletRoutes } from '#functions/management/outlets.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { errorResponse } from '#shared/http/responses.ts';

// An import whose Content-Type names a charset this API cannot decode is a 400 naming
// header.content-type (docs/design.md#routes-and-auth). The API document's 400 of the import says so,
// as it says the import's other 400s, so a client reading it knows what the answer means.
describe("the import's 400 for a charset it cannot decode", () => {
  it('is in the 400 the API document states for POST /media-outlets/import', async () => {
    const route = outletRoutes({} as OutletRoutesDeps).find(
      (r) => r.method === 'POST' && r.path === '/media-outlets/import',
    )!;

    const answered = await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
      headers: { 'content-type': 'text/csv; charset=x-backline' },
      body: 'name,email,kind,territories\n',
      isBase64Encoded: false,
    } as never).catch(errorResponse);

    expect(answered.statusCode).toBe(400);
    expect(JSON.parse(answered.body ?? '{}').issues).toEqual([
      { path: 'header.content-type', message: expect.any(String) },
    ]);
    expect(route.doc.responses[400]?.description).toContain('header.content-type');
  });
});
