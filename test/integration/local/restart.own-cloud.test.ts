import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateScheduleCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  GetAccountCommand,
  GetSuppressedDestinationCommand,
  PutSuppressedDestinationCommand,
  SESv2Client,
  SendEmailCommand,
} from '@aws-sdk/client-sesv2';
import { afterAll, describe, expect, it } from 'vitest';
import { ExpenseRecorded } from '#shared/events/index.ts';
import { type CloudProcess, startCloudProcess } from '#test/support/cloud-process.ts';
import { signedWebhook } from '#test/support/intake.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'backline-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const client = (endpoint: string) =>
  new SchedulerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });

/** The local SES front at `endpoint`, as a function's client reaches SES. */
const ses = (endpoint: string) =>
  new SESv2Client({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });

describe('npm start with a data folder', () => {
  it('keeps labels, schedules and the generated API key across a restart', async () => {
    const first = await startCloudProcess({ BACKLINE_DATA_DIR: dataDir });
    const created = await fetch(`${first.urls.http}/labels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'lbl-restart', name: 'Restart Records' }),
    });
    // A one-time schedule of its own: the topology's recurring ones are made again at every start.
    const inAYear = new Date(Date.now() + 365 * 24 * 3600_000).toISOString().slice(0, 19);
    await client(first.urls.bus).send(
      new CreateScheduleCommand({
        Name: 'restart-once',
        ScheduleExpression: `at(${inAYear})`,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/backline',
          RoleArn: 'arn:aws:iam::000000000000:role/scheduler',
          EventBridgeParameters: { DetailType: 'Release Day Reached', Source: 'backline.scheduler' },
          Input: '{}',
        },
      }),
    );
    await first.stop();

    const second = await startCloudProcess({ BACKLINE_DATA_DIR: dataDir });
    const label = await fetch(`${second.urls.http}/labels/lbl-restart`, {
      headers: { authorization: `Bearer ${first.apiKey}` },
    });
    const sweep = await client(second.urls.bus).send(new GetScheduleCommand({ Name: 'outbox-sweep' }));
    const once = await client(second.urls.bus).send(new GetScheduleCommand({ Name: 'restart-once' }));
    await second.stop();

    expect(created.status).toBe(201);
    expect(second.apiKey).toBe(first.apiKey);
    expect(label.status).toBe(200);
    expect(await label.json()).toMatchObject({ id: 'lbl-restart', name: 'Restart Records' });
    expect(sweep.ScheduleExpression).toBe('rate(1 minute)');
    expect(once.ScheduleExpression).toBe(`at(${inAYear})`);
  }, 120_000); // two cloud processes start and stop: slow on a busy machine
});

/** Sends a signed expense webhook (its consumer only files it) and answers its webhook-id. */
async function sendExpense(cloud: CloudProcess, label: { id: string; secret: string }) {
  const request = signedWebhook(label.secret, {
    type: 'expense.recorded',
    timestamp: new Date().toISOString(),
    data: { ...ExpenseRecorded.sample, expenseId: `exp-${Math.random()}` },
  });
  const response = await fetch(`${cloud.urls.http}/webhooks/${label.id}`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  expect(response.status).toBe(202);
  return request.headers['webhook-id'];
}

/** How many times this cloud's bus carried the webhook's event, once every stream record is handled. */
async function published(cloud: CloudProcess, webhookId: string): Promise<number> {
  await fetch(`${cloud.urls.http}/_local/idle`);
  const response = await fetch(`${cloud.urls.http}/_local/events?source=backline.intake`);
  const { events } = (await response.json()) as {
    events: { detail: { metadata: { webhookId?: string } } }[];
  };
  return events.filter((event) => event.detail.metadata.webhookId === webhookId).length;
}

describe('the outbox stream across a restart', () => {
  it('resumes the table stream where it stopped: nothing published before is published again, and what follows is', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'backline-restart-stream-'));
    const first = await startCloudProcess({ BACKLINE_DATA_DIR: folder });
    const created = await fetch(`${first.urls.http}/labels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Stream Records' }),
    });
    const { id, webhookSecret } = (await created.json()) as { id: string; webhookSecret: string };
    const before = await sendExpense(first, { id, secret: webhookSecret });
    const beforeOnFirst = await published(first, before);
    await first.stop();

    const second = await startCloudProcess({ BACKLINE_DATA_DIR: folder });
    const beforeOnSecond = await published(second, before);
    const after = await sendExpense(second, { id, secret: webhookSecret });
    const afterOnSecond = await published(second, after);
    await second.stop();
    rmSync(folder, { recursive: true, force: true });

    expect([beforeOnFirst, beforeOnSecond, afterOnSecond]).toEqual([1, 0, 1]);
  }, 120_000);
});

describe("the SES front's suppression list across a kill -9", () => {
  it('keeps an address put on the account-level suppression list, as SES keeps it', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'backline-restart-suppression-'));
    const first = await startCloudProcess({ BACKLINE_DATA_DIR: folder }, { killable: true });
    await ses(first.urls.ses).send(
      new PutSuppressedDestinationCommand({ EmailAddress: 'gone@outlets.example', Reason: 'COMPLAINT' }),
    );
    await first.kill();

    const second = await startCloudProcess({ BACKLINE_DATA_DIR: folder });
    const kept = await ses(second.urls.ses)
      .send(new GetSuppressedDestinationCommand({ EmailAddress: 'gone@outlets.example' }))
      .then((answer) => answer.SuppressedDestination?.Reason)
      .catch((error: Error) => error.name);
    await second.stop();
    rmSync(folder, { recursive: true, force: true });

    expect(kept).toBe('COMPLAINT');
  }, 120_000);
});

describe("the SES front's count of mail sent across a kill -9", () => {
  it('reports in GetAccount the recipients sent in the last 24 hours before the kill, as SES counts them', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'backline-restart-sent-'));
    const first = await startCloudProcess({ BACKLINE_DATA_DIR: folder }, { killable: true });
    await ses(first.urls.ses).send(
      new SendEmailCommand({
        FromEmailAddress: 'press@backline.example',
        Destination: { ToAddresses: ['a@outlets.example', 'b@outlets.example'] },
        Content: { Simple: { Subject: { Data: 'Counted' }, Body: { Text: { Data: 'Counted.' } } } },
      }),
    );
    const before = (await ses(first.urls.ses).send(new GetAccountCommand({}))).SendQuota?.SentLast24Hours;
    await first.kill();

    const second = await startCloudProcess({ BACKLINE_DATA_DIR: folder });
    const after = (await ses(second.urls.ses).send(new GetAccountCommand({}))).SendQuota?.SentLast24Hours;
    await second.stop();
    rmSync(folder, { recursive: true, force: true });

    expect([before, after]).toEqual([2, 2]);
  }, 120_000);
});
