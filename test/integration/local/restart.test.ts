import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, describe, expect, it } from 'vitest';
import { startCloudProcess } from '#test/support/cloud-process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'backline-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const client = (endpoint: string) =>
  new SchedulerClient({
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
    await first.stop();

    const second = await startCloudProcess({ BACKLINE_DATA_DIR: dataDir });
    const label = await fetch(`${second.urls.http}/labels/lbl-restart`, {
      headers: { authorization: `Bearer ${first.apiKey}` },
    });
    const sweep = await client(second.urls.bus).send(new GetScheduleCommand({ Name: 'outbox-sweep' }));
    await second.stop();

    expect(created.status).toBe(201);
    expect(second.apiKey).toBe(first.apiKey);
    expect(label.status).toBe(200);
    expect(await label.json()).toMatchObject({ id: 'lbl-restart', name: 'Restart Records' });
    expect(sweep.ScheduleExpression).toBe('rate(1 minute)');
  }, 120_000); // two cloud processes start and stop: slow on a busy machine
});
