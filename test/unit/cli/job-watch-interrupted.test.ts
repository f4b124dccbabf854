import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, fakeApi } from '#test/support/fake-api.ts';

/**
 * A job the CLI started, and whose watch then failed (`GET /jobs/{jobId}` answered an error: a gateway's
 * 503, a network that dropped): the job runs on in Backline, so the error names it and where to read how
 * it ends, rather than leave the manager to start the same import or replay again.
 */

const file = join(tmpdir(), `backline-job-watch-${process.pid}.csv`);
let api: FakeApi;

beforeAll(async () => {
  writeFileSync(file, ['name,email,kind,territories', 'Radio One,one@radio.example,radio,GB'].join('\n'));
  api = await fakeApi({
    'POST /media-outlets/import': () => ({ status: 202, json: { jobId: 'job-7', status: 'queued' } }),
    'POST /labels/nightshift/replays': () => ({ status: 202, json: { jobId: 'job-8', status: 'queued' } }),
    'GET /jobs/job-7': () => ({ status: 503, json: { message: 'Service Unavailable' } }),
    'GET /jobs/job-8': () => ({ status: 503, json: { message: 'Service Unavailable' } }),
  });
});

afterAll(() => api.close());

describe('a job whose watch fails', () => {
  it('names the import job that goes on, and where to read how it ends, exiting 2', async () => {
    const result = await api.backline(['outlets', 'import', file]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('503 Service Unavailable');
    expect(result.stderr).toContain('The import was started as job job-7 and may go on');
    expect(result.stderr).toContain('GET /jobs/job-7');
  });

  it('names the replay job that goes on, and where to read how it ends, exiting 2', async () => {
    const result = await api.backline([
      'labels',
      'replay',
      'nightshift',
      '--from',
      '2027-01-05T00:00:00Z',
      '--to',
      '2027-01-05T23:59:59Z',
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('The replay was started as job job-8 and may go on');
    expect(result.stderr).toContain('GET /jobs/job-8');
  });
});
