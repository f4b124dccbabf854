import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, fakeApi } from '#test/support/fake-api.ts';

/**
 * `backline outlets list` lists the outlets a release of a genre and territory would match: an
 * outlet that unsubscribed, hard bounced or complained matches and gets no mail (isMailable), and the
 * manager reading the list needs to see which. The API answers as `GET /media-outlets` does.
 */

const anOutlet = (fields: Record<string, unknown>) => ({
  kind: 'press',
  genres: ['techno'],
  territories: ['GB'],
  createdAt: '2026-11-01T09:00:00.000Z',
  updatedAt: '2026-11-01T09:00:00.000Z',
  ...fields,
});

let api: FakeApi;

beforeAll(async () => {
  const outlets = [
    anOutlet({ id: 'out-1', name: 'Mailed', email: 'mailed@x.example' }),
    anOutlet({
      id: 'out-2',
      name: 'Left',
      email: 'left@x.example',
      unsubscribedAt: '2026-11-20T10:00:00.000Z',
    }),
    anOutlet({
      id: 'out-3',
      name: 'Bounced',
      email: 'bounced@x.example',
      suppressedAt: '2026-11-21T10:00:00.000Z',
      suppressionReason: 'bounce',
    }),
  ];
  api = await fakeApi({ 'GET /media-outlets': () => ({ json: { outlets } }) });
});

afterAll(() => api.close());

describe('backline outlets list', () => {
  it('says which outlets get no mail, and why, beside those that do', async () => {
    const result = await api.backline(['outlets', 'list', '--genre', 'techno']);

    expect(result.code, result.stderr).toBe(0);
    const rows = result.stdout.split('\n');
    expect(rows[0]).toMatch(/\bno mail\b/);
    expect(rows.find((row) => row.startsWith('Mailed'))).not.toMatch(/unsubscribed|bounce/);
    expect(rows.find((row) => row.startsWith('Left'))).toMatch(/unsubscribed 2026-11-20/);
    expect(rows.find((row) => row.startsWith('Bounced'))).toMatch(/bounced 2026-11-21/);
    expect(rows.at(-2)).toBe('3 outlets, 2 of them get no mail');
  });
});
