import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aLabel, aRelease, daysFromNow, sendWebhook } from '#test/support/announcing.ts';
import { browserOrSkip } from '#test/support/browser.ts';
import { armFault, clearFaults, clockNow, cloud, deadLetters, waitFor } from '#test/support/cloud.ts';

/** What a newcomer does in the first hour: the demo, the console in a browser, the API document. */

const root = resolve(import.meta.dirname, '../../..');

function demo(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['infra/demo.ts'], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

const againstTheCloud = () => ({ BACKLINE_API_URL: cloud().baseUrl, BACKLINE_API_KEY: cloud().apiKey });

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
    const first = await demo(againstTheCloud());
    const second = await demo(againstTheCloud());

    for (const run of [first, second]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('30 created, 0 rejected');
      expect(Number(/the announcer mailed (\d+) outlets/.exec(run.stdout)?.[1])).toBeGreaterThanOrEqual(30);
      expect(run.stdout).toMatch(/the release is out; "out now" mail went to ([3-9]\d|\d{3,}) outlets/);
      expect(run.stdout).toContain(`${cloud().baseUrl}/_local/console`);
    }
    expect(/label (demo-\S+) added/.exec(first.stdout)?.[1]).not.toBe(
      /label (demo-\S+) added/.exec(second.stdout)?.[1],
    );
    lastRun = second.stdout;
  }, 240_000);

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
      await page.goto(`${cloud().baseUrl}/_local/console`);
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
      expect(await mailLink.getAttribute('href')).toContain(cloud().sesUrl);
      expect(await page.locator('#schedules').textContent()).toContain('Outbox Sweep Due');
      expect(await page.locator('#schedules').textContent()).toMatch(/UTC/);
      expect(await page.locator('#events').textContent()).toMatch(/Email Sent[\s\S]*announcer\s*succeeded/);
      if (process.env.BACKLINE_CONSOLE_SCREENSHOT)
        await page.screenshot({ path: resolve(root, process.env.BACKLINE_CONSOLE_SCREENSHOT) });
      await page.close();
    });

    it('moves the clock forward with "advance to" and shows the new time', async (context) => {
      if (skip) return context.skip(skip);
      const before = await clockNow();
      const page = await open();

      await page.getByRole('button', { name: '+1 day' }).click();

      await waitFor(async () => (await clockNow()).getTime() >= before.getTime() + 86_400_000, {
        timeoutMs: 60_000,
        what: 'the clock to move a day',
      });
      const day = new Date(before.getTime() + 86_400_000).toISOString().slice(0, 10);
      await expect.poll(() => page.locator('#clock').textContent(), { timeout: 20_000 }).toContain(day);
      await page.close();
    });

    it('redrives dead letters with its button once the fault is gone', async (context) => {
      if (skip) return context.skip(skip);
      const label = await aLabel();
      const release = aRelease({ releaseDate: await daysFromNow(40) });
      await armFault('invoke.crash-before:releases', 'inf');
      await sendWebhook(label, {
        type: 'release.scheduled',
        timestamp: (await clockNow()).toISOString(),
        data: release,
      });
      await waitFor(
        async () => (await deadLetters()).some((d) => JSON.stringify(d.event).includes(release.releaseId)),
        { timeoutMs: 30_000, what: 'the release to be dead-lettered' },
      );
      await clearFaults();
      const page = await open();
      expect(await page.locator('#dead-letters').textContent()).toContain('Release Scheduled');

      await page.getByRole('button', { name: 'Redrive all' }).click();

      await waitFor(async () => (await deadLetters()).length === 0, {
        timeoutMs: 30_000,
        what: 'the DLQ to empty',
      });
      await expect
        .poll(() => page.locator('#dead-letters h2').textContent(), { timeout: 20_000 })
        .toContain('(0)');
      await page.close();
    });
  });
});
