import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from '#test/support/run-script.ts';

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

let server: Server;
let url: string;

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
  server = createServer((request, response) => {
    request.resume();
    response.writeHead(request.url?.startsWith('/media-outlets?') ? 200 : 404, {
      'content-type': 'application/json',
    });
    response.end(
      JSON.stringify(request.url?.startsWith('/media-outlets?') ? { outlets } : { error: 'not found' }),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('backline outlets list', () => {
  it('says which outlets get no mail, and why, beside those that do', async () => {
    const result = await runScript('infra/cli/backline.ts', ['outlets', 'list', '--genre', 'techno'], {
      BACKLINE_API_URL: url,
      BACKLINE_API_KEY: 'key',
    });

    expect(result.code, result.stderr).toBe(0);
    const rows = result.stdout.split('\n');
    expect(rows[0]).toMatch(/\bno mail\b/);
    expect(rows.find((row) => row.startsWith('Mailed'))).not.toMatch(/unsubscribed|bounce/);
    expect(rows.find((row) => row.startsWith('Left'))).toMatch(/unsubscribed 2026-11-20/);
    expect(rows.find((row) => row.startsWith('Bounced'))).toMatch(/bounced 2026-11-21/);
    expect(rows.at(-2)).toBe('3 outlets, 2 of them get no mail');
  });
});
