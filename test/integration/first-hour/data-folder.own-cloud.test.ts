import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnTiedToParent } from '#infra/local/tied-spawn.ts';
import { sampleRelease } from '#shared/events/release-scheduled.ts';
import { waitFor } from '#test/support/cloud.ts';
import { type CloudProcess, onFreePorts, startCloudProcess } from '#test/support/cloud-process.ts';
import { signedWebhook } from '#test/support/intake.ts';
import { runStartToExit } from '#test/support/run-script.ts';

/**
 * The first hour with `npm start`'s data folder: a newcomer runs `npm start` a second time in another
 * terminal (it stops at once: the ports are taken), keeps working with the first one, stops it and
 * starts again on the same folder, as the README promises that a restart loses nothing.
 */

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});
const aDataFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), 'backline-first-hour-'));
  folders.push(folder);
  return folder;
};

/** `npm start` in a second terminal, on the same ports and data folder as one already running. */
const startAgain = (running: CloudProcess, dataDir: string) =>
  runStartToExit({
    BACKLINE_HTTP_PORT: String(running.ports.http),
    BACKLINE_BUS_PORT: String(running.ports.bus),
    BACKLINE_DYNAMODB_PORT: String(running.ports.dynamodb),
    BACKLINE_SES_PORT: String(running.ports.ses),
    BACKLINE_DATA_DIR: dataDir,
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });

const schedulesOf = async (cloud: CloudProcess, group: string): Promise<string[]> => {
  const client = new SchedulerClient({
    endpoint: cloud.urls.bus,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const listed = await client.send(new ListSchedulesCommand({ GroupName: group }));
  client.destroy();
  return (listed.Schedules ?? []).map((schedule) => schedule.Name ?? '');
};

/**
 * A label created through `cloud`'s API, and a release of it (on 1 January 2099) sent by a signed
 * release.scheduled webhook: accepted (202), and handled once the bus is idle. Answers the label.
 */
const aLabelWithARelease = async (
  cloud: { urls: { http: string }; apiKey: string },
  name: string,
  releaseId: string,
) => {
  const created = await fetch(`${cloud.urls.http}/labels`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cloud.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const label = (await created.json()) as { id: string; webhookSecret: string };
  const webhook = signedWebhook(label.webhookSecret, {
    type: 'release.scheduled',
    timestamp: new Date().toISOString(),
    data: { ...sampleRelease, releaseId, releaseDate: '2099-01-01' },
  });
  const sent = await fetch(`${cloud.urls.http}/webhooks/${label.id}`, {
    method: 'POST',
    headers: webhook.headers,
    body: webhook.body,
  });
  expect(sent.status).toBe(202);
  await fetch(`${cloud.urls.http}/_local/idle`);
  return label;
};

describe('npm start run a second time on the same data folder', () => {
  it("leaves the running Backline's data folder alone when it stops because the folder is in use: a release scheduled afterwards keeps its release-day schedule across a restart", async () => {
    const dataDir = aDataFolder();
    const first = await startCloudProcess({ BACKLINE_DATA_DIR: dataDir });
    let restarted: CloudProcess | undefined;
    try {
      const second = await startAgain(first, dataDir);
      expect(second.code).toBe(1);
      expect(second.output).toContain(`The data folder ${dataDir} is in use by a Backline that runs`);

      // The newcomer goes on with the Backline that runs: a label, and its release.
      await aLabelWithARelease(first, 'Second Terminal Records', 'after-second-start');
      const before = await schedulesOf(first, 'backline');
      expect(before.filter((name) => name.startsWith('release-day-'))).toHaveLength(1);
      await first.stop(); // Ctrl-C

      restarted = await startCloudProcess({ BACKLINE_DATA_DIR: dataDir });
      const after = await schedulesOf(restarted, 'backline');

      expect(after).toEqual(before);
    } finally {
      await first.stop();
      await restarted?.stop();
    }
  }, 300_000);
});

/** The console page's section with this id, as HTML. */
const consoleSection = async (cloud: CloudProcess, id: string): Promise<string> => {
  const page = await (await fetch(`${cloud.urls.http}/_local/console`)).text();
  return new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(page)?.[1] ?? '';
};

describe('the local console across a restart', () => {
  it('still lists the release with its mail after npm start is stopped and started again on its data folder', async () => {
    const dataDir = aDataFolder();
    const first = await startCloudProcess({ BACKLINE_DATA_DIR: dataDir });
    let restarted: CloudProcess | undefined;
    try {
      const label = await aLabelWithARelease(first, 'Console Restart Records', 'kept-in-console');
      expect(await consoleSection(first, 'releases')).toContain('kept-in-console');
      await first.stop(); // Ctrl-C

      restarted = await startCloudProcess({ BACKLINE_DATA_DIR: dataDir });
      const release = await fetch(`${restarted.urls.http}/labels/${label.id}/releases/kept-in-console`, {
        headers: { authorization: `Bearer ${restarted.apiKey}` },
      });
      expect(release.status).toBe(200);

      expect(await consoleSection(restarted, 'releases')).toContain('kept-in-console');
    } finally {
      await first.stop();
      await restarted?.stop();
    }
  }, 300_000);
});

/**
 * `npm start` as a person types it (npm, its script's shell, the local cloud), on free ports and
 * `dataDir`; resolves once it says it is running, with the npm process, the cloud's address and key
 * as it printed them, and everything printed so far and after (npm's and the cloud's, one pipe).
 */
async function npmStart(dataDir: string) {
  const npm = spawnTiedToParent('npm', ['start'], {
    cwd: resolve(import.meta.dirname, '../../..'),
    env: {
      ...process.env,
      ...onFreePorts,
      BACKLINE_DATA_DIR: dataDir,
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const printed = { text: '' };
  for (const stream of [npm.stdout!, npm.stderr!]) stream.on('data', (chunk) => (printed.text += chunk));
  await new Promise<void>((ready, fail) => {
    npm.once('exit', (code) => fail(new Error(`npm start exited with ${code}: ${printed.text}`)));
    npm.stdout!.on('data', () => {
      if (printed.text.includes('Press Ctrl-C to stop.')) ready();
    });
  });
  const http = /HTTP API\s+(http:\/\/\S+)/.exec(printed.text)?.[1] ?? '';
  const apiKey = /API key\s+(\S+)/.exec(printed.text)?.[1] ?? '';
  return { npm, printed, cloud: { urls: { http }, apiKey } };
}

/** Whether process `pid` runs: not gone, and not a zombie nobody has reaped yet (Linux's /proc). */
const runs = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('npm start whose npm process is killed', () => {
  it('stops the local cloud it started, as Ctrl-C does: the data folder is released, and the next npm start on it starts with what was kept', async () => {
    const dataDir = aDataFolder();
    const first = await npmStart(dataDir);
    const cloudPid = Number(readFileSync(join(dataDir, 'running.pid'), 'utf8').split('\n')[0]);
    let restarted: CloudProcess | undefined;
    try {
      const label = await aLabelWithARelease(first.cloud, 'Killed Terminal Records', 'kept-after-kill');

      first.npm.kill('SIGKILL'); // kill -9 of the npm process
      await waitFor(() => !runs(cloudPid) && !existsSync(join(dataDir, 'running.pid')), {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: `the local cloud (process ${cloudPid}) to stop once npm is gone`,
      });
      expect(first.printed.text).toContain('stopping Backline');

      restarted = await startCloudProcess({ BACKLINE_DATA_DIR: dataDir });
      const release = await fetch(`${restarted.urls.http}/labels/${label.id}/releases/kept-after-kill`, {
        headers: { authorization: `Bearer ${restarted.apiKey}` },
      });
      expect(release.status).toBe(200);
    } finally {
      // A cloud that outlived its npm is this test's own: stopped here, so no other run meets it.
      if (runs(cloudPid)) process.kill(cloudPid, 'SIGTERM');
      await restarted?.stop();
    }
  }, 300_000);
});
