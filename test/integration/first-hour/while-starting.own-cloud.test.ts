import { describe, expect, it } from 'vitest';
import { freePort } from '#infra/local/ports.ts';
import { waitFor } from '#test/support/cloud.ts';
import { startCloudProcess } from '#test/support/cloud-process.ts';

/**
 * A newcomer's request that comes while `npm start` is still starting (the CLI, a curl, the demo run
 * too soon): its HTTP port listens before DynamoDB Local is up and before the functions have their
 * configuration, which takes seconds on a busy machine.
 */
describe('a request while npm start is still starting', () => {
  it('is answered 503, and npm start goes on to start', async () => {
    const port = await freePort();
    const base = `http://localhost:${port}`;
    const starting = startCloudProcess({
      BACKLINE_HTTP_PORT: String(port),
      BACKLINE_API_KEY: 'starting-key',
    });
    starting.catch(() => {});
    await waitFor(async () => (await fetch(`${base}/health`).catch(() => undefined))?.status === 503, {
      intervalMs: 10,
      what: "npm start's HTTP port answering /health with 503 (starting)",
    });

    const early = await fetch(`${base}/labels`, {
      method: 'POST',
      headers: { authorization: 'Bearer starting-key', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Too Soon Records' }),
    });

    expect(early.status).toBe(503);
    expect(await early.json()).toEqual({ status: 'starting' });
    const cloud = await starting;
    try {
      const later = await fetch(`${base}/labels`, {
        method: 'POST',
        headers: { authorization: 'Bearer starting-key', 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Just In Time Records' }),
      });
      expect(later.status).toBe(201);
    } finally {
      await cloud.stop();
    }
  }, 240_000);
});
