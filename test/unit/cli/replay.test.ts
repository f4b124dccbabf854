import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, fakeApi } from '#test/support/fake-api.ts';

/**
 * `backline labels replay` against an API that starts a replay as `POST /labels/{labelId}/replays`
 * does and answers its job as `GET /jobs/{jobId}` does: running once, then as it ended.
 */

const from = '2026-12-01T00:00:00Z';
const to = '2026-12-01T23:59:59+01:00';

let ended: Record<string, unknown>;
let api: FakeApi;

const aReplayJob = (status: string, result: Record<string, unknown>, done = 3) => ({
  jobId: 'job-r',
  kind: 'webhook-replay',
  status,
  progress: { done, ...(status === 'running' ? {} : { total: done }) },
  result: { replayed: 0, rejectedCount: 0, rejected: [], ...result },
  createdAt: '2026-12-06T09:00:00.000Z',
  updatedAt: '2026-12-06T09:00:01.000Z',
});

beforeAll(async () => {
  let reads = 0;
  api = await fakeApi({
    'POST /labels/nightshift/replays': () => {
      reads = 0;
      return {
        status: 202,
        headers: { location: '/jobs/job-r' },
        json: { jobId: 'job-r', status: 'queued' },
      };
    },
    'GET /jobs/job-r': () => {
      reads += 1;
      return { json: reads === 1 ? aReplayJob('running', { replayed: 1 }, 1) : ended };
    },
  });
});

afterAll(() => api.close());

const sentSince = (before: number) =>
  api.requests.slice(before).map((r) => `${r.method} ${r.url.pathname} ${r.body.toString('utf8')}`.trim());

describe('backline labels replay', () => {
  it('starts the replay of the range, watches its job and says how many webhooks it put back, exit 0', async () => {
    ended = aReplayJob('done', { replayed: 3 });
    const before = api.requests.length;

    const result = await api.backline(['labels', 'replay', 'nightshift', '--from', from, '--to', to]);

    expect(result.code, result.stderr).toBe(0);
    expect(sentSince(before)).toEqual([
      `POST /labels/nightshift/replays ${JSON.stringify({ from, to })}`,
      'GET /jobs/job-r',
      'GET /jobs/job-r',
    ]);
    expect(result.stderr).toContain('replaying: 1 webhooks');
    expect(result.stdout).toContain(
      `Replayed nightshift's webhooks received from ${from} to ${to}: all 3 put back for publishing (job job-r)`,
    );
  });

  it('exits 1 when some webhooks were rejected, listing each with why', async () => {
    ended = aReplayJob('done', {
      replayed: 2,
      rejectedCount: 1,
      rejected: [{ webhookId: 'msg_old', error: 'releaseDate: must be a date as YYYY-MM-DD' }],
    });

    const result = await api.backline(['labels', 'replay', 'nightshift', '--from', from, '--to', to]);

    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain(
      `Replayed nightshift's webhooks received from ${from} to ${to} in part: 2 of 3 put back for publishing, 1 rejected (job job-r)`,
    );
    expect(result.stdout).toMatch(/webhookId\s+error\n-+\s+-+\nmsg_old\s+releaseDate: must be a date/);
    expect(result.stderr).toContain(
      'backline: 1 of 3 webhooks rejected (listed on stdout); the other 2 are put back for publishing',
    );
  });

  it('exits 2 when the replay job failed', async () => {
    ended = { ...aReplayJob('failed', { replayed: 1 }), error: 'page 2 failed 3 times: throttled' };

    const result = await api.backline(['labels', 'replay', 'nightshift', '--from', from, '--to', to]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('The replay failed: page 2 failed 3 times: throttled (job job-r)');
  });

  it('refuses a range it cannot send before any request, exit 2, naming the option and why as the API would', async () => {
    const before = api.requests.length;

    const noZone = await api.backline([
      'labels',
      'replay',
      'nightshift',
      '--from',
      '2026-12-01T00:00:00',
      '--to',
      to,
    ]);
    const backwards = await api.backline(['labels', 'replay', 'nightshift', '--from', to, '--to', from]);
    const noTo = await api.backline(['labels', 'replay', 'nightshift', '--from', from]);
    const noLabel = await api.backline(['labels', 'replay', '--from', from, '--to', to]);

    expect(noZone.code).toBe(2);
    expect(noZone.stderr).toContain(
      '--from 2026-12-01T00:00:00: must be an ISO 8601 date-time with a time zone, such as 2027-01-05T10:00:00Z',
    );
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain(`--to ${from}: must not be before --from`);
    expect(noTo.code).toBe(2);
    expect(noTo.stderr).toContain("required option '--to <instant>' not specified");
    expect(noLabel.code).toBe(2);
    expect(noLabel.stderr).toContain("missing required argument 'labelId'");
    expect(sentSince(before)).toEqual([]);
  });

  it('states its exit statuses in its help', async () => {
    const help = await api.backline(['labels', 'replay', '--help']);

    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit status:\s+0 .*\s1 .*rejected.*\s2 /s);
  });
});
