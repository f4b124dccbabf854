import { describe, expect, it } from 'vitest';
import { api } from '#test/support/cloud.ts';
import { uniqueEmail } from '#test/support/outlets-cloud.ts';

/**
 * Bad input gets a 4xx naming the field and the reason and changes nothing (docs/design.md#routes-and-auth),
 * here where only DynamoDB shows what would follow otherwise: a string it cannot store, a key longer than
 * it takes.
 */
const issuesOf = async (response: Response) =>
  ((await response.json()) as { issues?: { path: string; message: string }[] }).issues;

describe('a JSON string holding a lone surrogate', () => {
  it('answers an outlet named "Caf\\ud800" with a 400 naming the name, and adds no outlet', async () => {
    const email = uniqueEmail('surrogate');

    const response = await api('/media-outlets', {
      method: 'POST',
      json: { name: 'Caf\ud800', email, kind: 'radio', genres: [], territories: ['GB'] },
    });

    expect({ status: response.status, issues: await issuesOf(response) }).toEqual({
      status: 400,
      issues: [{ path: 'name', message: 'is not valid Unicode (a lone surrogate)' }],
    });
    const listed = (await (await api('/media-outlets?limit=100')).json()) as { outlets: { email: string }[] };
    expect(listed.outlets.map((outlet) => outlet.email)).not.toContain(email);
  });
});
