import { describe, expect, it } from 'vitest';
import { freePort } from '#infra/local/ports.ts';
import { withBrowser } from '#test/support/browser.ts';
import { waitFor } from '#test/support/cloud.ts';
import { startCloudProcess } from '#test/support/cloud-process.ts';

/**
 * A newcomer's request that comes while `npm start` is still starting (the CLI, a curl, the demo run
 * too soon, a click in a console page left open from the last run): its HTTP port listens before
 * DynamoDB Local is up and before the functions have their configuration, which takes seconds on a
 * busy machine.
 */

/** `npm start` on a port known before it is ready, caught while its HTTP port answers /health with 503. */
const caughtStarting = async () => {
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const starting = startCloudProcess({ BACKLINE_HTTP_PORT: String(port), BACKLINE_API_KEY: 'starting-key' });
  starting.catch(() => {});
  await waitFor(async () => (await fetch(`${base}/health`).catch(() => undefined))?.status === 503, {
    intervalMs: 10,
    what: "npm start's HTTP port answering /health with 503 (starting)",
  });
  return { base, starting };
};

const aLabel = (base: string, name: string) =>
  fetch(`${base}/labels`, {
    method: 'POST',
    headers: { authorization: 'Bearer starting-key', 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });

/** npm start, once started after all, takes the API's requests (a label made), then is stopped. */
const goesOnToStart = async (base: string, starting: ReturnType<typeof startCloudProcess>) => {
  const cloud = await starting;
  try {
    expect((await aLabel(base, 'Just In Time Records')).status).toBe(201);
  } finally {
    await cloud.stop();
  }
};

describe('a request while npm start is still starting', () => {
  it('to the API is answered 503, and npm start goes on to start', async () => {
    const { base, starting } = await caughtStarting();

    const early = await aLabel(base, 'Too Soon Records');

    expect(early.status).toBe(503);
    expect(await early.json()).toEqual({ status: 'starting' });
    await goesOnToStart(base, starting);
  }, 240_000);

  it("that moves the local clock is answered 503, and npm start's own waits are not cut short by it", async () => {
    const { base, starting } = await caughtStarting();

    const early = await fetch(`${base}/_local/clock`, {
      method: 'POST',
      headers: { 'x-backline-local': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ advanceTo: new Date(Date.now() + 8 * 86_400_000).toISOString() }),
    }).then(
      (response) => response.status,
      (error: Error & { cause?: { code?: string } }) => `no answer (${error.cause?.code ?? error.message})`,
    );

    expect(early).toBe(503);
    await goesOnToStart(base, starting);
  }, 240_000);

  describe('in a browser', () => {
    const chromium = withBrowser();

    it('to the console is a page saying it is starting, which reloads itself into the console once up', async (context) => {
      if (!chromium.browser) return context.skip(chromium.skip);
      const { base, starting } = await caughtStarting();
      const page = await chromium.browser.newPage();

      const early = await page.goto(`${base}/_local/console`);

      expect(early?.status()).toBe(503);
      expect(await page.locator('body').textContent()).toContain('Backline is starting');
      const cloud = await starting;
      try {
        await page.locator('#releases').waitFor({ timeout: 30_000 });
        expect(await page.title()).not.toContain('starting');
      } finally {
        await page.close();
        await cloud.stop();
      }
    }, 240_000);
  });
});
