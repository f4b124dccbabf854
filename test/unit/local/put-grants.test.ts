import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBus } from '#infra/local/bus/bus.ts';
import { Faults } from '#infra/local/faults.ts';
import { LocalRuntime } from '#infra/local/runtime.ts';
import type { LocalScheduler } from '#infra/local/scheduler.ts';
import type { FunctionName, FunctionSpec } from '#infra/topology.ts';
import { listeningEndpoint } from '#test/support/local-endpoint.ts';

/**
 * A function's PutEvents through the real SDK client, the local runtime and the local EventBridge
 * endpoint: held to the sources the topology grants it, as its role's events:source condition holds
 * it on AWS (docs/design.md#topology).
 */
const functions: [FunctionName, FunctionSpec][] = [
  [
    'tours' as FunctionName,
    {
      entry: 'test/support/fixtures/put-events-handler.ts',
      description: 'test',
      on: [],
      may: ['events:put:backline.tours'],
    },
  ],
];
const faults = new Faults();
const runtime = new LocalRuntime({ root: resolve(import.meta.dirname, '../../..'), functions, faults });
const bus = new LocalBus({
  functions,
  invoke: (name, event) => runtime.invoke(name, event),
  faults,
  account: '000000000000',
  region: 'us-east-1',
  retryBaseMs: 1,
});
let server: Server;
let endpoint: string;
beforeAll(async () => {
  ({ server, url: endpoint } = await listeningEndpoint({ bus, scheduler: {} as LocalScheduler }));
});
afterAll(() => new Promise((done) => server.close(done)));

describe("a function's PutEvents on the local cloud", () => {
  it('puts an event with a source its role is granted', async () => {
    const result = await runtime.invoke('tours' as FunctionName, { endpoint, source: 'backline.tours' });

    expect(result).toEqual({ EventId: expect.any(String) });
  });

  it('is refused, as EventBridge refuses it on AWS, an event with a source its role is not granted', async () => {
    const result = await runtime.invoke('tours' as FunctionName, { endpoint, source: 'backline.releases' });

    expect(result).toEqual({
      ErrorCode: 'NotAuthorizedForSourceException',
      ErrorMessage: 'Not authorized for the source.',
    });
  });

  it("leaves a call of no function's (a test's, the operator's) to put any source of its own", async () => {
    const client = new EventBridgeClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });

    const answer = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'backline', Source: 'backline.releases', DetailType: 'Test Put', Detail: '{}' },
        ],
      }),
    );
    client.destroy();

    expect(answer.FailedEntryCount).toBe(0);
  });
});
