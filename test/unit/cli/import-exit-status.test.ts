import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, fakeApi } from '#test/support/fake-api.ts';

/**
 * `backline outlets import`'s exit status, which a manager's script reads: 0 for a whole import, 1 when
 * some rows were rejected, 2 when the import did not run or did not finish. The API answers the job as
 * `GET /jobs/{jobId}` does once it has ended.
 */

const file = join(tmpdir(), `backline-outlets-exit-${process.pid}.csv`);
let job: Record<string, unknown>;
let api: FakeApi;

const aFinishedImport = (result: Record<string, unknown>, status = 'done') => ({
  jobId: 'job-1',
  kind: 'outlet-import',
  status,
  progress: { done: 3, total: 3 },
  result: { created: 0, updated: 0, rejectedCount: 0, rejected: [], ...result },
});

beforeAll(async () => {
  writeFileSync(
    file,
    [
      'name,email,kind,territories',
      'Radio One,one@radio.example,radio,GB',
      'Nowhere,not-an-address,radio,GB',
      'Press Two,two@press.example,press,FR',
    ].join('\n'),
  );
  api = await fakeApi({
    'POST /media-outlets/import': () => ({ status: 202, json: { jobId: 'job-1', status: 'queued' } }),
    'GET /jobs/job-1': () => ({ json: job }),
  });
});

afterAll(() => api.close());

const backline = (args: string[]) => api.backline(args);

describe("backline outlets import's exit status", () => {
  it('exits 1 when some rows were rejected, saying how many were imported and how many rejected', async () => {
    job = aFinishedImport({
      created: 1,
      updated: 1,
      rejectedCount: 1,
      rejected: [{ line: 3, error: 'email: must be an email address' }],
    });

    const result = await backline(['outlets', 'import', file]);

    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain(
      `Imported ${file} in part: 2 of 3 rows imported (1 created, 1 updated, 0 unchanged), 1 rejected (job job-1)`,
    );
    expect(result.stdout).toMatch(/line\s+error\n-+\s+-+\n3\s+email: must be an email address/);
    expect(result.stderr).toContain(
      'backline: 1 of 3 rows rejected (listed on stdout); the other 2 are imported',
    );
  });

  it('exits 0 when every row was imported', async () => {
    job = aFinishedImport({ created: 2, updated: 0 });

    const result = await backline(['outlets', 'import', file]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `Imported ${file}: all 3 rows (2 created, 0 updated, 1 unchanged) (job job-1)`,
    );
  });

  it('counts a repeated row apart from the unchanged and lists it, and the rows whose address gets no mail', async () => {
    job = {
      ...aFinishedImport({
        created: 1,
        updated: 0,
        repeatedCount: 1,
        repeated: [{ line: 4, email: 'one@radio.example', earlierLine: 2 }],
        optedOutCount: 1,
        optedOut: [
          { line: 2, email: 'one@radio.example', optOut: 'unsubscribed', since: '2026-11-02T10:00:00.000Z' },
        ],
      }),
      progress: { done: 3, total: 3 },
    };

    const result = await backline(['outlets', 'import', file]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `Imported ${file}: all 3 rows (1 created, 0 updated, 1 unchanged, 1 repeating an earlier row's address) (job job-1)`,
    );
    expect(result.stdout).toMatch(/line\s+email\s+earlier line\n[- ]+\n4\s+one@radio\.example\s+2/);
    expect(result.stdout).toMatch(
      /line\s+email\s+opt-out\s+since\n[- ]+\n2\s+one@radio\.example\s+unsubscribed\s+2026-11-02T10:00:00\.000Z/,
    );
  });

  it('says how many opted-out rows it did not list, counting rows, though a row with two opt-outs is listed twice', async () => {
    // The job counts rows (optedOutCount) and lists opt-outs, up to its limit: here two rows' four.
    const since = '2026-11-02T10:00:00.000Z';
    const optOut = (line: number, email: string, kind: string) => ({ line, email, optOut: kind, since });
    job = aFinishedImport({
      created: 3,
      optedOutCount: 3,
      optedOut: [
        optOut(2, 'one@radio.example', 'unsubscribed'),
        optOut(2, 'one@radio.example', 'bounced'),
        optOut(3, 'two@press.example', 'unsubscribed'),
        optOut(3, 'two@press.example', 'complained'),
      ],
    });

    const result = await backline(['outlets', 'import', file]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('(1 more opted-out rows not listed)');
  });

  it('exits 2 when the import did not finish, as for any error, and for a command it cannot read', async () => {
    job = { ...aFinishedImport({ created: 1 }, 'failed'), error: 'page 1 failed 3 times: throttled' };

    const failed = await backline(['outlets', 'import', file]);
    const noFile = await backline(['outlets', 'import']);
    const unknownOption = await backline(['outlets', 'import', '--charst', 'windows-1252', file]);

    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('The import failed: page 1 failed 3 times: throttled (job job-1)');
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain("missing required argument 'file'");
    expect(unknownOption.code).toBe(2);
  });

  it('states its exit statuses in its help and in the command line’s', async () => {
    const importHelp = await backline(['outlets', 'import', '--help']);
    const help = await backline(['--help']);

    expect(importHelp.code).toBe(0);
    expect(importHelp.stdout).toMatch(/Exit status:\s+0 .*every row.*\s1 .*rejected.*\s2 /s);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit status:\s+0 .*\s1 .*\s2 /s);
  });
});
