import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, fakeApi } from '#test/support/fake-api.ts';

/**
 * `backline outlets list | head`: the reader stops reading after its first lines and closes the pipe.
 * The exit status is the command's outcome (0, 1 or 2, as `backline --help` states them), not a crash
 * of the write that found the pipe closed (Node's unhandled EPIPE: a stack trace and status 1, which
 * reads as "done in part").
 */

const root = resolve(import.meta.dirname, '../../..');
let api: FakeApi;

const anOutlet = (page: number, i: number) => ({
  id: `out-${page}-${i}`,
  name: `Outlet ${page}-${i} ${'with a long name '.repeat(8)}`,
  email: `desk-${page}-${i}@press.example`,
  kind: 'press',
  genres: ['techno'],
  territories: ['GB'],
  createdAt: '2027-01-05T10:00:00.000Z',
  updatedAt: '2027-01-05T10:00:00.000Z',
});

beforeAll(async () => {
  // Twenty pages of 100 outlets: some 700 KB of table, more than a pipe or socket holds unread.
  api = await fakeApi({
    'GET /media-outlets': (request) => {
      const page = Number(request.url.searchParams.get('cursor') ?? '0');
      return {
        json: {
          outlets: Array.from({ length: 100 }, (_, i) => anOutlet(page, i)),
          ...(page < 19 ? { nextCursor: String(page + 1) } : {}),
        },
      };
    },
  });
});

afterAll(() => api.close());

/** `backline args` whose stdout is read up to its first chunk, then closed as `head` closes it. */
const backlineIntoHead = (args: string[]) =>
  new Promise<{ code: number | null; stderr: string; firstChunk: string }>((done, fail) => {
    const child = spawn(process.execPath, ['infra/cli/backline.ts', ...args], {
      cwd: root,
      env: { ...process.env, BACKLINE_API_URL: api.url, BACKLINE_API_KEY: 'key' },
    });
    let stderr = '';
    let firstChunk = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout.once('data', (chunk) => {
      firstChunk = String(chunk);
      child.stdout.destroy();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stderr, firstChunk }));
  });

describe('backline into a pipe closed early (| head)', () => {
  it('exits with the outcome of the command, quietly, not with a write error', async () => {
    const run = await backlineIntoHead(['outlets', 'list']);

    expect(run.firstChunk).toContain('name');
    expect(run.stderr).not.toContain('EPIPE');
    expect(run.code).toBe(0);
  });
});
