import type { Server } from 'node:http';
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBus } from '#infra/local/bus/bus.ts';
import { installVirtualClock } from '#infra/local/clock.ts';
import { RequestCounts } from '#infra/local/request-counts.ts';
import { createLocalScheduler } from '#infra/local/scheduler.ts';
import { listeningEndpoint } from '#test/support/local-endpoint.ts';

/**
 * `GET /_local/requests` counts by service and operation, as AWS names them (README, "Local-only
 * routes"): the Scheduler's REST calls by the operation each is, not by its HTTP method.
 */
const counts = new RequestCounts();
const scheduler = createLocalScheduler({ clock: installVirtualClock(), putEvents: async () => {} });
let server: Server;
let client: SchedulerClient;

beforeAll(async () => {
  let endpoint: string;
  ({ server, url: endpoint } = await listeningEndpoint({ bus: {} as LocalBus, scheduler, counts }));
  client = new SchedulerClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  scheduler.stop();
  client.destroy();
  await new Promise((done) => server.close(done));
});

describe("the local endpoint's request counts", () => {
  it('names each Scheduler request by its operation, so creating a group and a schedule are told apart', async () => {
    await client.send(new CreateScheduleGroupCommand({ Name: 'shows' }));
    await client.send(
      new CreateScheduleCommand({
        Name: 'show-step-1',
        GroupName: 'shows',
        ScheduleExpression: 'at(2099-01-01T10:00:00)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/backline',
          RoleArn: 'arn:aws:iam::000000000000:role/scheduler',
          Input: '{}',
          EventBridgeParameters: { DetailType: 'Show Step Due', Source: 'backline.scheduler' },
        },
      }),
    );
    await client.send(new GetScheduleCommand({ Name: 'show-step-1', GroupName: 'shows' }));
    await client.send(new DeleteScheduleCommand({ Name: 'show-step-1', GroupName: 'shows' }));

    expect(counts.snapshot()).toEqual({
      'Scheduler CreateSchedule': 1,
      'Scheduler CreateScheduleGroup': 1,
      'Scheduler DeleteSchedule': 1,
      'Scheduler GetSchedule': 1,
    });
  });
});
