import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installVirtualClock } from '#infra/local/clock.ts';
import { createDynamoFaultProxy, type DynamoFaultProxy } from '#infra/local/dynamodb-faults.ts';
import { Faults } from '#infra/local/faults.ts';
import { LocalRuntime } from '#infra/local/runtime.ts';
import type { FunctionName, FunctionSpec } from '#infra/topology.ts';

const listen = async (server: Server) => {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as AddressInfo).port;
};

// Stands for DynamoDB Local: refuses every write as a failed condition, stamped with wall time as it is.
let upstreamRequests = 0;
const upstream = createServer((req, res) => {
  upstreamRequests++;
  req.resume().on('end', () => {
    const body = JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
      message: 'The conditional request failed',
    });
    res.writeHead(400, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
});
let proxy: DynamoFaultProxy;
let port: number;
beforeAll(async () => {
  proxy = createDynamoFaultProxy(new Faults());
  proxy.setUpstream(await listen(upstream));
  port = await listen(proxy.server);
});
afterAll(async () => {
  await new Promise((done) => proxy.server.close(done));
  await new Promise((done) => upstream.close(done));
});

const runtime = () =>
  new LocalRuntime({
    root: resolve(import.meta.dirname, '../../..'),
    functions: [
      [
        'tours' as FunctionName,
        {
          entry: 'test/support/fixtures/conditional-put-handler.ts',
          description: 'test',
          on: [],
          may: [],
        } satisfies FunctionSpec,
      ],
    ],
    faults: new Faults(),
  });

/**
 * docs/design.md#the-local-clock: the functions read the local clock, ahead of wall time; AWS answers a
 * function in the time it reads. Answered in wall time, the SDK took the difference for clock skew and
 * tried each error it met after the clock moved again, as one the skew's correction might cure: a failed
 * condition was sent up to four times, each retry taking from the client's retry quota, until it
 * retried nothing, not even a 500 (the answer-lost tests' flakiness).
 */
describe('a function’s request answered by a local endpoint, the local clock a day ahead of wall time', () => {
  it('is answered in the local clock’s time, so the SDK sees no skew and sends a refused write once', async () => {
    const clock = installVirtualClock();
    clock.raiseTo(new Date(Date.now() + 86_400_000));
    upstreamRequests = 0;

    const result = await runtime().invoke('tours', { port });

    expect(result).toBe('ConditionalCheckFailedException');
    expect(upstreamRequests).toBe(1);
  });
});
