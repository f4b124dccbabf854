import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { withBrowser } from '#test/support/browser.ts';
import { consolePageOver } from '#test/support/console.ts';

/**
 * The console open in a browser when `npm start` stops: its page is served here as the local cloud's
 * gateway serves it (`/_local/console`, and the fingerprint it polls, `/_local/console/state`), and the
 * server is then closed as the cloud's is on Ctrl-C.
 */
async function consoleServed() {
  const html = await consolePageOver(
    [{ detailType: 'Release Scheduled', labelId: 'nightshift', data: { releaseId: 'night-drive' } }],
    () => ({ labelId: 'nightshift', releaseId: 'night-drive', state: 'scheduled', mail: {} }),
  );
  const state = /data-state="([^"]*)"/.exec(html)?.[1] ?? '';
  const serve = (port: number) =>
    new Promise<Server>((done) => {
      const server = createServer((request, response) => {
        if (request.url === '/_local/console/state') response.writeHead(200).end(state);
        else response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      });
      server.listen(port, '127.0.0.1', () => done(server));
    });
  let server = await serve(0);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/_local/console`,
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
    start: async () => {
      server = await serve(port);
    },
  };
}

describe('the local console when the local cloud stops', () => {
  const chromium = withBrowser();

  it('says the local cloud does not answer, rather than showing what it last saw as if it were now, and reloads once it answers again', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const cloud = await consoleServed();
    const page = await chromium.browser.newPage({ viewport: { width: 375, height: 667 } });
    try {
      await page.goto(cloud.url);

      await cloud.stop();

      await expect
        .poll(() => page.locator('#status').textContent(), { timeout: 10_000 })
        .toContain('The local cloud does not answer');
      expect(await page.locator('#status').textContent()).toContain('Is npm start still running?');
      expect(await page.locator('#releases').textContent()).toContain('night-drive');

      await cloud.start();

      await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toBe('');
      await cloud.stop();
    } finally {
      await page.close();
    }
  });
});
