import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type ReleaseRoutesDeps, releaseRoutes } from '#functions/management/releases.ts';
import { managementApi } from '#functions/management/routes.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { aLabel, InMemoryLabels } from '#test/support/intake.ts';

/**
 * A release's routes answer a label that does not exist with 404 `label not found`, as the label
 * routes and the office's routes under a label do, and a known label's missing release with
 * `release not found` (docs/design.md#routes-and-auth).
 */
const api = () => {
  const deps: ReleaseRoutesDeps = {
    getRelease: async () => undefined,
    deliveries: async () => [],
    deliveriesPage: async () => ({ deliveries: [] }),
    promoAccesses: async () => new Map(),
    labels: new InMemoryLabels(aLabel({ labelId: 'acme' })),
  };
  const handler = managementApi('management', async () => 'key', releaseRoutes(deps));
  return async (route: string, labelId: string) => {
    const path = route.replace('{labelId}', labelId).replace('{releaseId}', 'r1');
    const result = (await handler(
      {
        version: '2.0',
        routeKey: `GET ${route}`,
        rawPath: path,
        rawQueryString: '',
        headers: { authorization: 'Bearer key' },
        requestContext: { http: { method: 'GET', path } },
        pathParameters: { labelId, releaseId: 'r1' },
        isBase64Encoded: false,
      } as unknown as HttpEvent,
      {
        getRemainingTimeInMillis: () => 10_000,
        awsRequestId: 'r',
        functionName: 'management',
      } as unknown as Context,
    )) as HttpResult;
    return [result.statusCode, JSON.parse(result.body ?? '{}').message];
  };
};

describe("a release's routes, for a label that does not exist", () => {
  const routes = [
    '/labels/{labelId}/releases/{releaseId}',
    '/labels/{labelId}/releases/{releaseId}/deliveries',
  ];

  it.each(routes)('%s answers 404 label not found', async (route) => {
    expect(await api()(route, 'nope')).toEqual([404, 'label not found']);
  });

  it.each(routes)('%s answers 404 release not found for a known label', async (route) => {
    expect(await api()(route, 'acme')).toEqual([404, 'release not found']);
  });
});
