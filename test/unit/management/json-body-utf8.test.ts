import { describe, expect, it } from 'vitest';
import { outletRoutes } from '#functions/management/outlets.ts';
import { managementApi } from '#shared/http/manager-api.ts';
import { callApi } from '#test/support/api.ts';
import { anImportWorld } from '#test/support/jobs.ts';

// docs/design.md#routes-and-auth: a JSON body is UTF-8 (RFC 8259), as a webhook's is and a CSV's is in
// its charset; bytes that are not are a 400 naming the body, never a name stored with U+FFFD.
describe('an outlet posted as JSON in windows-1252, not UTF-8', () => {
  it('answers 400 saying the body is not UTF-8, and adds no outlet', async () => {
    const { world, deps } = anImportWorld();
    const api = managementApi('management', async () => 'key', outletRoutes(deps));
    const body = Buffer.from(
      '{"name":"Caf\xe9 Radio","email":"cafe@radio.example","kind":"radio","territories":["FR"]}',
      'latin1',
    );

    // Bytes that are not UTF-8 reach the function base64-encoded.
    const result = await callApi(api, { method: 'POST', route: '/media-outlets', body });

    expect({ status: result.status, issues: JSON.parse(result.body ?? '{}').issues }).toEqual({
      status: 400,
      issues: [{ path: '', message: 'body is not valid UTF-8' }],
    });
    expect([...world.outlets.outlets.values()]).toEqual([]);
  });
});
