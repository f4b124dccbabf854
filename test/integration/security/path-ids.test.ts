import { describe, expect, it } from 'vitest';
import { api, cloud } from '#test/support/cloud.ts';

const long = 'x'.repeat(3000);

describe('over-long ids in a path', () => {
  it.each([
    ['GET', '/media-outlets/{outletId}', 'outletId'],
    ['PUT', '/media-outlets/{outletId}', 'outletId'],
    ['DELETE', '/media-outlets/{outletId}', 'outletId'],
    ['GET', '/labels/{labelId}', 'labelId'],
    ['GET', '/labels/acme/releases/{releaseId}', 'releaseId'],
    ['GET', '/labels/acme/releases/{releaseId}/deliveries', 'releaseId'],
  ])(
    'answers %s %s with a 3,000-character id with 400 naming it, not a DynamoDB key-size 500',
    async (method, route, field) => {
      const path = route.replace(`{${field}}`, long);

      const response = await api(path, { method, ...(method === 'PUT' ? { json: {} } : {}) });

      expect(response.status).toBe(400);
      const body = (await response.json()) as { issues: { path: string; message: string }[] };
      expect(body.issues).toEqual([{ path: `path.${field}`, message: 'must be at most 128 characters' }]);
    },
  );

  it('answers a webhook for an over-long label id with 404 (no such label, not looked up), and an over-long recipient token with 400', async () => {
    const webhook = await fetch(`${cloud().baseUrl}/webhooks/${long}`, { method: 'POST', body: '{}' });
    const link = await fetch(`${cloud().baseUrl}/p/${'t'.repeat(5000)}`);

    expect(webhook.status).toBe(404);
    expect(link.status).toBe(400);
  });
});
