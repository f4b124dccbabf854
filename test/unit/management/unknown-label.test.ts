import { describe, expect, it } from 'vitest';
import { type ReleaseRoutesDeps, releaseRoutes } from '#functions/management/releases.ts';
import { managementApi } from '#shared/http/manager-api.ts';
import { callApi } from '#test/support/api.ts';
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
    const { status, body } = await callApi(handler, {
      method: 'GET',
      route,
      pathParameters: { labelId, releaseId: 'r1' },
    });
    return [status, JSON.parse(body ?? '{}').message];
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
