import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, fakeApi } from '#test/support/fake-api.ts';

/**
 * `backline outlets import` of a spreadsheet's CSV saved on Windows (windows-1252), against an API that
 * reads a CSV in the charset its Content-Type names, UTF-8 when it names none, as the management API does.
 */

const refusal = {
  error: 'validation',
  message: '(body): is not valid utf-8 text',
  issues: [{ path: '', message: 'is not valid utf-8 text' }],
};
const sent: (string | undefined)[] = [];
const file = join(tmpdir(), `backline-outlets-${process.pid}.csv`);

let api: FakeApi;

beforeAll(async () => {
  writeFileSync(
    file,
    Buffer.from(
      'name,email,kind,genres,territories\nCaf\xe9 Noir,cafe@noir.example,press,jazz,FR\n',
      'latin1',
    ),
  );
  api = await fakeApi({
    'POST /media-outlets/import': (request) => {
      const type = request.headers['content-type'];
      sent.push(type);
      return /charset=windows-1252/i.test(type ?? '')
        ? { status: 202, json: { jobId: 'job-1' } }
        : { status: 400, json: refusal };
    },
    'GET /jobs/job-1': () => ({
      json: {
        jobId: 'job-1',
        status: 'done',
        progress: { done: 1, total: 1 },
        result: { created: 1, updated: 0, rejectedCount: 0, rejected: [] },
      },
    }),
  });
});

afterAll(() => api.close());

const backline = (args: string[]) => api.backline(args);

describe('backline outlets import', () => {
  it("sends the file's charset named by --charset, so a spreadsheet's windows-1252 CSV is read as such", async () => {
    const result = await backline(['outlets', 'import', '--charset', 'windows-1252', file]);

    expect(result.code, result.stderr).toBe(0);
    expect(sent.at(-1)).toBe('text/csv; charset=windows-1252');
    expect(result.stdout).toContain('1 created');
  });

  it('says once what the API refused, and that --charset names the file’s charset, when the file is not UTF-8', async () => {
    const result = await backline(['outlets', 'import', file]);

    expect(result.code).toBe(2);
    expect(result.stderr.split('is not valid utf-8 text')).toHaveLength(2);
    expect(result.stderr).toContain('--charset');
    // Excel for Mac saves "CSV" in Mac Roman, whose é (0x8E) windows-1252 would read as Ž.
    expect(result.stderr).toContain('Excel for Mac: --charset macintosh');
  });
});
