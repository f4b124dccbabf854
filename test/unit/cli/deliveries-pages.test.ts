import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from '#test/support/run-script.ts';

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

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const requested = new URL(request.url ?? '/', 'http://localhost');
    const page = pages[requested.searchParams.get('cursor') ?? ''];
    if (requested.pathname !== path || !page) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    if (request.headers.accept === 'text/csv') {
      const csv = [
        'email,kind,status,at',
        ...page.rows.map((r) => `${r.email},${r.kind},${r.status},${r.at}`),
      ];
      const link = page.next ? { link: `<${path}?limit=1000&cursor=${page.next}>; rel="next"` } : {};
      response.writeHead(200, { 'content-type': 'text/csv', ...link }).end(`${csv.join('\n')}\n`);
      return;
    }
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ deliveries: page.rows, ...(page.next ? { nextCursor: page.next } : {}) }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

const backline = (args: string[]) =>
  runScript('infra/cli/backline.ts', args, { BACKLINE_API_URL: url, BACKLINE_API_KEY: 'key' });

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
