import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Faults } from '#infra/local/faults.ts';
import { LocalRuntime } from '#infra/local/runtime.ts';
import type { FunctionName, FunctionSpec } from '#infra/topology.ts';

let server: Server;
let port: number;
let requests = 0;
let callers: (string | undefined)[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    callers.push(req.headers['x-backline-local-function'] as string | undefined);
    res.end('ok');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((done) => server.close(done)));
beforeEach(() => {
  requests = 0;
  callers = [];
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

  it("names the calling function on each of its handler's requests, as its role signs them on AWS (the local endpoints check its grants), and no function on others", async () => {
    await runtime(new Faults()).invoke('tours', { port, pauseMs: 0 });
    await new Promise<void>((done) => {
      request({ host: '127.0.0.1', port }, (response) => response.resume().on('end', done)).end();
    });

    expect(callers).toEqual(['tours', 'tours', undefined]);
  });

  it('fails an invocation under invoke.crash-before without running the handler', async () => {
    const error = await runtime(new Faults('invoke.crash-before:tours'))
      .invoke('tours', { port, pauseMs: 0 })
      .catch((caught: Error) => caught);
    await settle();

    expect(String(error)).toContain('invoke.crash-before');
    expect(requests).toBe(0);
  });

  it('fails under invoke.crash-before aimed at one detail-type (`:fn.Detail Type`) only an invocation with an event of it', async () => {
    const faults = new Faults('invoke.crash-before:tours.Show Step Due');
    const tours = runtime(faults);

    const other = await tours.invoke('tours', { port, pauseMs: 0, 'detail-type': 'Tour Booked' });
    const aimed = await tours
      .invoke('tours', { port, pauseMs: 0, 'detail-type': 'Show Step Due' })
      .catch((caught: Error) => caught);
    await settle();

    expect(other).toBe('done');
    expect(String(aimed)).toContain('invoke.crash-before');
    expect(requests).toBe(2);
    expect(faults.list().armed).toEqual({});
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
