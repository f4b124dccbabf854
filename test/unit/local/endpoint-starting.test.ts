import type { Server } from 'node:http';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBus } from '#infra/local/bus/bus.ts';
import { installVirtualClock } from '#infra/local/clock.ts';
import { RequestCounts } from '#infra/local/request-counts.ts';
import { createLocalScheduler } from '#infra/local/scheduler.ts';
import { listeningEndpoint } from '#test/support/local-endpoint.ts';

/**
 * The local EventBridge/Scheduler endpoint while the local cloud starts: PutEvents is refused, an event
 * put then being delivered to functions not yet configured; the start-up's own schedules are provisioned
 * through the same port, so the Scheduler is served (README, "Configuration").
 */
const scheduler = createLocalScheduler({ clock: installVirtualClock(), putEvents: async () => {} });
const put: unknown[] = [];
const bus = {
  putEvents: (entries: unknown[]) => {
    put.push(...entries);
    return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `evt-${i}` })) };
  },
} as unknown as LocalBus;
const counts = new RequestCounts();
let ready = false;
let server: Server;
let events: EventBridgeClient;
let schedules: SchedulerClient;

beforeAll(async () => {
  let endpoint: string;
  ({ server, url: endpoint } = await listeningEndpoint({ bus, scheduler, counts, isReady: () => ready }));
  const client = {
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  };
  events = new EventBridgeClient(client);
  schedules = new SchedulerClient(client);
});
afterAll(async () => {
  scheduler.stop();
  events.destroy();
  schedules.destroy();
  await new Promise((done) => server.close(done));
});

const anEvent = new PutEventsCommand({
  Entries: [{ EventBusName: 'backline', Source: 'backline.tests', DetailType: 'Test', Detail: '{}' }],
});

describe('the local EventBridge endpoint while the local cloud starts', () => {
  it('refuses PutEvents with a 503 the SDK retries, and provisions schedules, until the cloud is ready', {
    timeout: 20_000,
  }, async () => {
    const refused = await events.send(anEvent).catch((error: unknown) => error);
    await schedules.send(new CreateScheduleGroupCommand({ Name: 'starting' }));
    const created = await schedules.send(
      new CreateScheduleCommand({
        Name: 'outbox-sweep',
        GroupName: 'starting',
        ScheduleExpression: 'rate(1 minute)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/backline',
          RoleArn: 'arn:aws:iam::000000000000:role/scheduler',
          Input: '{}',
          EventBridgeParameters: { DetailType: 'Outbox Sweep Due', Source: 'backline.scheduler' },
        },
      }),
    );

    expect(refused).toMatchObject({
      name: 'ServiceUnavailableException',
      $metadata: { httpStatusCode: 503, attempts: 2 },
    });
    expect(counts.snapshot()).toMatchObject({ 'EventBridge PutEvents': 2 });
    expect(put).toEqual([]);
    expect(created.ScheduleArn).toContain('schedule/starting/outbox-sweep');
  });

  it('puts the events once the cloud is ready', async () => {
    ready = true;

    const answer = await events.send(anEvent);

    expect(answer).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-0' }] });
    expect(put).toHaveLength(1);
  });
});
