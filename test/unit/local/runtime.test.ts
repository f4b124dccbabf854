import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Faults } from '#infra/local/faults.ts';
import { LocalRuntime } from '#infra/local/runtime.ts';
import type { FunctionName, FunctionSpec } from '#infra/topology.ts';

let server: Server;
let port: number;
let requests = 0;
beforeAll(async () => {
  server = createServer((_, res) => {
    requests++;
    res.end('ok');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((done) => server.close(done)));
beforeEach(() => {
  requests = 0;
});

const runtime = (faults: Faults, timeoutSeconds = 10) =>
  new LocalRuntime({
    root: resolve(import.meta.dirname, '../../..'),
    functions: [
      [
        'tours' as FunctionName,
        {
          entry: 'test/support/fixtures/two-requests-handler.ts',
          description: 'test',
          on: [],
          may: [],
          timeoutSeconds,
        } satisfies FunctionSpec,
      ],
    ],
    faults,
  });
// Long past the handlers' pauses (at most 200 ms), so a request an abandoned handler still sent would be counted.
const settle = () => new Promise((done) => setTimeout(done, 1_000));

describe('the local runtime', () => {
  it('runs the handler to its end when no fault is armed', async () => {
    const result = await runtime(new Faults()).invoke('tours', { port, pauseMs: 50 });

    expect(result).toBe('done');
    expect(requests).toBe(2);
  });

  it('fails an invocation under invoke.crash-before without running the handler', async () => {
    const error = await runtime(new Faults('invoke.crash-before:tours'))
      .invoke('tours', { port, pauseMs: 0 })
      .catch((caught: Error) => caught);
    await settle();

    expect(String(error)).toContain('invoke.crash-before');
    expect(requests).toBe(0);
  });

  it('abandons a handler at its timeout: the invocation fails with "Task timed out" and the handler sends nothing more', async () => {
    const error = await runtime(new Faults(), 0.1)
      .invoke('tours', { port, pauseMs: 200 })
      .catch((caught: Error) => caught);
    await settle();

    expect(String(error)).toContain('Task timed out after 0.10 seconds');
    expect(requests).toBe(1);
  });

  it('abandons a handler mid-run under invoke.timeout, long before its timeout', async () => {
    const error = await runtime(new Faults('invoke.timeout'))
      .invoke('tours', { port, pauseMs: 100 })
      .catch((caught: Error) => caught);
    await settle();

    expect(String(error)).toContain('Task timed out after 10.00 seconds');
    expect(requests).toBeLessThanOrEqual(1);
  });
});
