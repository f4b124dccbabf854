import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnswer, type FakeApi, fakeApi } from '#test/support/fake-api.ts';

/**
 * `backline labels rotate-secret` and `revoke-secrets` against an API that answers
 * `POST /labels/{labelId}/secrets/rotate` and `.../secrets/revoke` as the management API does.
 */

let rotation: FakeAnswer;
let revocation: FakeAnswer;
let api: FakeApi;

beforeAll(async () => {
  api = await fakeApi({
    'POST /labels/nightshift/secrets/rotate': () => rotation,
    'POST /labels/nightshift/secrets/revoke': () => revocation,
    'POST /labels/nobody/secrets/revoke': () => ({
      status: 404,
      json: { error: 'not_found', message: 'label not found' },
    }),
  });
});

afterAll(() => api.close());

const requestsSince = (before: number) =>
  api.requests.slice(before).map((r) => `${r.method} ${r.url.pathname}`);

describe('backline labels rotate-secret', () => {
  it('shows the new secret once, says so, and says until when the previous one keeps verifying', async () => {
    rotation = {
      status: 201,
      json: {
        id: 'nightshift',
        webhookSecret: 'whsec_bmV3LXNlY3JldA==',
        previousSecretRetiresAt: '2026-12-07T09:30:00.000Z',
      },
    };
    const before = api.requests.length;

    const result = await api.backline(['labels', 'rotate-secret', 'nightshift']);

    expect(result.code, result.stderr).toBe(0);
    expect(requestsSince(before)).toEqual(['POST /labels/nightshift/secrets/rotate']);
    expect(result.stdout).toContain(
      'new webhook secret (shown once, give it to the label): whsec_bmV3LXNlY3JldA==',
    );
    expect(result.stdout).toContain('the previous secret keeps verifying until 2026-12-07T09:30:00.000Z');
    expect(result.stdout).toContain('backline labels revoke-secrets nightshift');
  });

  it('exits 2 with what the API said when three secrets verify already', async () => {
    rotation = {
      status: 409,
      json: {
        error: 'conflict',
        message:
          'label nightshift already has 3 active secrets (the current one and 2 rotated out); revoke the rotated-out ones (POST /labels/nightshift/secrets/revoke) or wait until 2026-12-07T09:30:00.000Z',
      },
    };

    const result = await api.backline(['labels', 'rotate-secret', 'nightshift']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('already has 3 active secrets');
    expect(result.stdout).not.toContain('whsec_');
  });

  it('refuses a missing or empty label id before any request, exit 2, naming it', async () => {
    const before = api.requests.length;

    const missing = await api.backline(['labels', 'rotate-secret']);
    const empty = await api.backline(['labels', 'rotate-secret', ' ']);

    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'labelId'");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('labelId: must not be empty');
    expect(requestsSince(before)).toEqual([]);
  });
});

describe('backline labels revoke-secrets', () => {
  it('says how many rotated-out secrets were revoked and that they stop verifying within 30 seconds', async () => {
    revocation = { json: { id: 'nightshift', revoked: 2 } };
    const before = api.requests.length;

    const result = await api.backline(['labels', 'revoke-secrets', 'nightshift']);

    expect(result.code, result.stderr).toBe(0);
    expect(requestsSince(before)).toEqual(['POST /labels/nightshift/secrets/revoke']);
    expect(result.stdout).toContain('2 rotated-out secrets revoked');
    expect(result.stdout).toContain('within 30 seconds');
    expect(result.stdout).toContain('the current secret still verifies');
  });

  it('says when there was no rotated-out secret to revoke, and exits 0', async () => {
    revocation = { json: { id: 'nightshift', revoked: 0 } };

    const result = await api.backline(['labels', 'revoke-secrets', 'nightshift']);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('no rotated-out secret verifies');
  });

  it('exits 2 saying the API knows no such label', async () => {
    const result = await api.backline(['labels', 'revoke-secrets', 'nobody']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('404 label not found');
  });
});
