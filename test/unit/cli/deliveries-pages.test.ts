import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, fakeApi } from '#test/support/fake-api.ts';

/**
 * `backline release deliveries` against an API that pages a release's deliveries as the management
 * API does (at most 1,000 rows a page: `nextCursor` in JSON, a `Link: <...>; rel="next"` header in CSV).
 */

const rows = [
  { email: 'a@first-page.example', kind: 'announcement', status: 'sent', at: '2027-03-01T09:00:00Z' },
  { email: 'b@first-page.example', kind: 'announcement', status: 'sent', at: '2027-03-01T09:00:00Z' },
  { email: 'c@second-page.example', kind: 'announcement', status: 'sent', at: '2027-03-01T09:00:01Z' },
];
const pages: Record<string, { rows: typeof rows; next?: string }> = {
  '': { rows: rows.slice(0, 2), next: 'page-2' },
  'page-2': { rows: rows.slice(2) },
};
const path = '/labels/nightshift/releases/night-drive/deliveries';

let api: FakeApi;

beforeAll(async () => {
  api = await fakeApi({
    [`GET ${path}`]: (request) => {
      const page = pages[request.url.searchParams.get('cursor') ?? ''];
      if (!page) return { status: 404, json: { error: 'not found' } };
      if (request.headers.accept === 'text/csv') {
        const csv = [
          'email,kind,status,at',
          ...page.rows.map((r) => `${r.email},${r.kind},${r.status},${r.at}`),
        ];
        const link: Record<string, string> = page.next
          ? { link: `<${path}?limit=1000&cursor=${page.next}>; rel="next"` }
          : {};
        return { headers: { 'content-type': 'text/csv', ...link }, text: `${csv.join('\n')}\n` };
      }
      return { json: { deliveries: page.rows, ...(page.next ? { nextCursor: page.next } : {}) } };
    },
  });
});

afterAll(() => api.close());

const backline = (args: string[]) => api.backline(args);

describe('backline release deliveries', () => {
  it("lists every row of a release's mail, following the API's pages, not only the first 1,000", async () => {
    const result = await backline(['release', 'deliveries', 'nightshift', 'night-drive']);

    expect(result.code, result.stderr).toBe(0);
    for (const row of rows) expect(result.stdout).toContain(row.email);
  });

  it('writes every page of the deliveries as one CSV with --csv, following the Link header', async () => {
    const result = await backline(['release', 'deliveries', 'nightshift', 'night-drive', '--csv']);

    expect(result.code, result.stderr).toBe(0);
    for (const row of rows) expect(result.stdout).toContain(row.email);
    // One header row, then every row.
    expect(result.stdout.trim().split('\n')).toHaveLength(1 + rows.length);
    expect(result.stdout.split('\n')[0]).toBe('email,kind,status,at');
  });
});
