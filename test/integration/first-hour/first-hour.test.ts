import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedHeaders } from '#infra/cli/sign-webhook.ts';
import { sampleRelease } from '#shared/events/release-scheduled.ts';
import { browserOrSkip } from '#test/support/browser.ts';
import { cloud, waitFor } from '#test/support/cloud.ts';
import { type CloudProcess, startCloudProcess } from '#test/support/cloud-process.ts';
import { runScript, type ScriptRun } from '#test/support/run-script.ts';

/**
 * What a newcomer does in the first hour: the demo against `npm start`, the console in a browser, the
 * API document. The demo mails every outlet that matches its release, so it runs against an `npm start`
 * of its own (the shared cloud holds thousands of other tests' outlets), as a newcomer's would.
 */

const root = resolve(import.meta.dirname, '../../..');
let own: CloudProcess;

beforeAll(async () => {
  own = await startCloudProcess({ BACKLINE_RETRY_BASE_MS: '50', BACKLINE_API_KEY: 'first-hour-key' });
}, 120_000);
afterAll(async () => own?.stop());

/** A request to the demo's cloud, as the management API key holder or as a local tool. */
const ownApi = (path: string, init: RequestInit & { json?: unknown } = {}) =>
  fetch(`${own.urls.http}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${own.apiKey}`,
      'x-backline-local': '1',
      'content-type': 'application/json',
      ...(init.headers as Record<string, string>),
    },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
const ownJson = async <T>(path: string, init: RequestInit & { json?: unknown } = {}) =>
  (await (await ownApi(path, init)).json()) as T;
const ownClock = async () => new Date((await ownJson<{ now: string }>('/_local/clock')).now);
const ownDeadLetters = async () => (await ownJson<{ deadLetters: unknown[] }>('/_local/dlq')).deadLetters;

const demo = (env: Record<string, string>): Promise<ScriptRun> => runScript('infra/demo.ts', [], env);

const againstOwnCloud = () => ({ BACKLINE_API_URL: own.urls.http, BACKLINE_API_KEY: own.apiKey });

describe('the first hour', () => {
  it('serves the API document at GET /openapi.json, as checked in', async () => {
    const response = await fetch(`${cloud().baseUrl}/openapi.json`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(
      JSON.parse(readFileSync(resolve(root, 'docs/openapi.json'), 'utf8')),
    );
  });

  it('says how to start Backline when the demo finds none running', async () => {
    const result = await demo({ BACKLINE_API_URL: 'http://127.0.0.1:9', BACKLINE_API_KEY: 'k' });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No Backline is running at http://127.0.0.1:9');
    expect(result.stderr).toContain('npm start');
  });

  let lastRun = '';

  it('runs the demo twice in a row, each run announcing its release and mailing it out on release day', async () => {
    const first = await demo(againstOwnCloud());
    const second = await demo(againstOwnCloud());

    for (const run of [first, second]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('30 created, 0 rejected');
      expect(run.stdout).toContain(`${own.urls.http}/_local/console`);
      expect(run.stdout).toContain(`${own.urls.ses}/`);
    }
    // Each run's 30 outlets take the techno release; the second run's release reaches the first run's outlets too.
    expect(first.stdout).toContain('the announcer mailed 30 outlets');
    expect(first.stdout).toContain('"out now" mail went to 30 outlets');
    expect(second.stdout).toContain('the announcer mailed 60 outlets');
    expect(second.stdout).toContain('"out now" mail went to 60 outlets');
    expect(/label (demo-\S+) added/.exec(first.stdout)?.[1]).not.toBe(
      /label (demo-\S+) added/.exec(second.stdout)?.[1],
    );
    lastRun = second.stdout;
  }, 420_000);

  describe('the local console in a browser', () => {
    let browser: Browser | undefined;
    let skip: string | undefined;

    beforeAll(async () => {
      const found = await browserOrSkip();
      if ('skip' in found) skip = found.skip;
      else browser = found.browser;
    });
    afterAll(async () => browser?.close());

    const open = async () => {
      const page = await browser!.newPage({ viewport: { width: 1280, height: 1000 } });
      await page.goto(`${own.urls.http}/_local/console`);
      return page;
    };

    it("shows the demo's release with its mail, the sent mail linked to the viewer, schedules and the event flow", async (context) => {
      if (skip) return context.skip(skip);
      const releaseId = /release (rel-\S+) on/.exec(lastRun)?.[1] ?? 'no demo run';

      const page = await open();

      const release = page.locator('#releases tr', { hasText: releaseId });
      await expect.poll(() => release.textContent()).toContain('out');
      expect(await release.textContent()).toMatch(/announcement: \d+ sent/);
      expect(await release.textContent()).toMatch(/out-now: \d+ sent/);
      const mailLink = page.locator('#mail a[href*="/get-emlContent?messageId="]').first();
      expect(await mailLink.getAttribute('href')).toContain(own.urls.ses);
      expect(await page.locator('#schedules').textContent()).toContain('Outbox Sweep Due');
      expect(await page.locator('#schedules').textContent()).toMatch(/UTC/);
      expect(await page.locator('#events').textContent()).toMatch(/Email Sent[\s\S]*announcer\s*succeeded/);
      if (process.env.BACKLINE_CONSOLE_SCREENSHOT)
        await page.screenshot({ path: resolve(root, process.env.BACKLINE_CONSOLE_SCREENSHOT) });
      await page.close();
    });

    it('moves the clock forward with "advance to" and shows the new time', async (context) => {
      if (skip) return context.skip(skip);
      const before = await ownClock();
      const page = await open();

      await page.getByRole('button', { name: '+1 day' }).click();

      await waitFor(async () => (await ownClock()).getTime() >= before.getTime() + 86_400_000, {
        timeoutMs: 60_000,
        what: 'the clock to move a day',
      });
      const day = new Date(before.getTime() + 86_400_000).toISOString().slice(0, 10);
      await expect.poll(() => page.locator('#clock').textContent(), { timeout: 20_000 }).toContain(day);
      await page.close();
    });

    it('redrives dead letters with its button once the fault is gone', async (context) => {
      if (skip) return context.skip(skip);
      const label = await ownJson<{ id: string; webhookSecret: string }>('/labels', {
        method: 'POST',
        json: { name: 'Dead Letter Records' },
      });
      const releaseId = `rel-dlq-${Date.now().toString(36)}`;
      const payload = JSON.stringify({
        type: 'release.scheduled',
        timestamp: (await ownClock()).toISOString(),
        data: { ...sampleRelease, releaseId, releaseDate: '2099-01-01' },
      });
      await ownApi('/_local/faults', {
        method: 'POST',
        json: { name: 'invoke.crash-before:releases', times: 'inf' },
      });
      try {
        const sent = await fetch(`${own.urls.http}/webhooks/${label.id}`, {
          method: 'POST',
          headers: signedHeaders(label.webhookSecret, payload, await ownClock()),
          body: payload,
        });
        expect(sent.status).toBe(202);
        await waitFor(async () => JSON.stringify(await ownDeadLetters()).includes(releaseId), {
          timeoutMs: 60_000,
          what: 'the release to be dead-lettered',
        });
      } finally {
        await ownApi('/_local/faults', { method: 'DELETE' });
      }
      const page = await open();
      expect(await page.locator('#dead-letters').textContent()).toContain('Release Scheduled');

      await page.getByRole('button', { name: 'Redrive all' }).click();

      await waitFor(async () => (await ownDeadLetters()).length === 0, {
        timeoutMs: 60_000,
        what: 'the DLQ to empty',
      });
      await expect
        .poll(() => page.locator('#dead-letters h2').textContent(), { timeout: 20_000 })
        .toContain('(0)');
      await page.close();
    });
  });
});
