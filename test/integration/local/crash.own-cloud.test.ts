import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sampleRelease } from '#shared/events/release-scheduled.ts';
import { waitFor } from '#test/support/cloud.ts';
import { type CloudProcess, startCloudProcess } from '#test/support/cloud-process.ts';
import { postSignedWebhook } from '#test/support/signing.ts';

/**
 * The local cloud is as durable as AWS: `kill -9` in the middle of an announcement and a restart on
 * the same data folder lose no mail and send none twice, and the clock does not go back. Its own
 * cloud, whose SES allows 2 recipients a second, so that the mailing is still in flight when killed.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'backline-crash-'));
const env = { BACKLINE_DATA_DIR: dataDir, BACKLINE_SES_SEND_RATE: '2', BACKLINE_RETRY_BASE_MS: '50' };
const outletCount = 40;
const running: CloudProcess[] = [];
afterAll(async () => {
  for (const cloud of running) await cloud.kill().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

/** Whether a DynamoDB Local JVM runs on this data folder (its command line names the folder). */
const jvmRunsOn = (folder: string): boolean => {
  try {
    execFileSync('pgrep', ['-f', `DynamoDBLocal.jar.*${folder}`]);
    return true;
  } catch {
    return false;
  }
};

async function start(): Promise<CloudProcess> {
  const cloud = await startCloudProcess(env, { killable: true });
  running.push(cloud);
  return cloud;
}

const call = async <T = Record<string, unknown>>(
  cloud: CloudProcess,
  path: string,
  init: RequestInit = {},
) => {
  const response = await fetch(`${cloud.urls.http}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${cloud.apiKey}`,
      'content-type': 'application/json',
      'x-backline-local': '1',
      ...init.headers,
    },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
};

const clockOf = async (cloud: CloudProcess) =>
  Date.parse((await call<{ now: string }>(cloud, '/_local/clock')).now);

async function announcementsTo(cloud: CloudProcess, emails: string[]): Promise<Map<string, number>> {
  const { emails: stored } = (await (await fetch(`${cloud.urls.ses}/store`)).json()) as {
    emails: { destination: { to: string[] }; subject: string }[];
  };
  const counts = new Map(emails.map((email) => [email, 0]));
  for (const mail of stored) {
    for (const to of mail.destination.to) {
      if (counts.has(to) && mail.subject.startsWith('New')) counts.set(to, counts.get(to)! + 1);
    }
  }
  return counts;
}

describe('the local cloud killed mid-mailing', () => {
  it('mails every outlet exactly once after a restart on the same data folder, and its clock does not go back', async () => {
    const first = await start();
    // A clock well ahead of wall time: a restart that forgot it would go back a day.
    await call(first, '/_local/clock', {
      method: 'POST',
      body: JSON.stringify({ advanceTo: new Date((await clockOf(first)) + 86_400_000).toISOString() }),
    });
    const label = await call<{ id: string; webhookSecret: string }>(first, '/labels', {
      method: 'POST',
      body: JSON.stringify({ name: 'Power Cut Records' }),
    });
    const emails = Array.from(
      { length: outletCount },
      (_, i) => `outlet${i}-${randomBytes(4).toString('hex')}@radio.example`,
    );
    for (const [i, email] of emails.entries()) {
      await call(first, '/media-outlets', {
        method: 'POST',
        body: JSON.stringify({ name: `Radio ${i}`, email, kind: 'radio', genres: [], territories: ['WW'] }),
      });
    }
    const now = new Date(await clockOf(first));
    const payload = JSON.stringify({
      type: 'release.scheduled',
      timestamp: now.toISOString(),
      data: {
        ...sampleRelease,
        releaseId: `rel-${randomBytes(4).toString('hex')}`,
        releaseDate: new Date(now.getTime() + 30 * 86_400_000).toISOString().slice(0, 10),
      },
    });
    const webhookId = `msg_${randomBytes(8).toString('hex')}`;
    const accepted = await postSignedWebhook(
      first.urls.http,
      { id: label.id, secret: label.webhookSecret },
      webhookId,
      now,
      payload,
    );

    const beforeKill = await waitFor(
      async () => {
        const counts = await announcementsTo(first, emails);
        const sent = [...counts.values()].filter((n) => n > 0).length;
        return sent >= 6 ? sent : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'the mailing to be under way' },
    );
    const clockAtKill = await clockOf(first);
    const jvmBeforeKill = jvmRunsOn(dataDir);
    await first.kill();
    // DynamoDB Local's JVM goes with the process that started it, so it holds neither its port nor the data folder.
    const jvmGone = await waitFor(() => !jvmRunsOn(dataDir), {
      timeoutMs: 15_000,
      intervalMs: 200,
      what: 'DynamoDB Local to stop with the killed cloud',
    }).catch(() => false);
    const restartedAt = performance.now();
    const second = await start();
    const restartMs = performance.now() - restartedAt;
    const clockAfterRestart = await clockOf(second);
    await waitFor(
      async () => {
        const { events } = await call<{ events: unknown[] }>(
          second,
          '/_local/events?detailType=Release%20Announced',
        );
        return events.length > 0;
      },
      { timeoutMs: 120_000, intervalMs: 200, what: 'the announcement to complete after the restart' },
    );
    await call(second, '/_local/idle');
    // Claims taken but never sent when the process died are resent by the sweep once stale.
    await call(second, '/_local/clock', {
      method: 'POST',
      body: JSON.stringify({
        advanceTo: new Date((await clockOf(second)) + defaultSettings.staleClaimMs + 60_000).toISOString(),
      }),
    });
    await call(second, '/_local/idle');
    const counts = await waitFor(
      async () => {
        const current = await announcementsTo(second, emails);
        return [...current.values()].every((n) => n >= 1) ? current : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'every outlet to have its announcement' },
    ).catch(() => announcementsTo(second, emails));
    const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
    console.log(
      `crash test: ${beforeKill} of ${outletCount} announced before kill -9, restart ${Math.round(restartMs)} ms, ${total} announcements sent for ${outletCount} outlets`,
    );

    expect({ jvmBeforeKill, jvmGone }).toEqual({ jvmBeforeKill: true, jvmGone: true });
    expect(accepted.status).toBe(202);
    expect(beforeKill).toBeLessThan(outletCount);
    expect(clockAfterRestart).toBeGreaterThanOrEqual(clockAtKill);
    expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  }, 300_000);
});
