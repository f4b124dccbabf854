import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelKey } from '#shared/db/labels.ts';
import { ExpenseRecorded } from '#shared/events/index.ts';
import { credentials, region } from '#test/support/cloud.ts';
import { type CloudProcess, startCloudProcess } from '#test/support/cloud-process.ts';
import { aSecret, signedWebhook } from '#test/support/intake.ts';
import { anOutletInput } from '#test/support/outlets.ts';

/**
 * A local cloud of its own, logging at DEBUG, whose every printed line is kept: after a run through intake
 * and the management API, neither the API key nor any webhook secret (nor its key in base64) appears in
 * them, and the table holds the label's secrets sealed only.
 */
describe('secrets stay out of logs and out of the table', () => {
  const apiKey = `key-${randomBytes(18).toString('base64url')}`;
  const lines: string[] = [];
  let cloud: CloudProcess;

  beforeAll(async () => {
    cloud = await startCloudProcess(
      // JSON logs, with the metric lines, as the functions print them on AWS.
      {
        BACKLINE_API_KEY: apiKey,
        BACKLINE_RETRY_BASE_MS: '50',
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
        BACKLINE_LOG_FORMAT: 'json',
      },
      { onOutput: (line) => lines.push(line) },
    );
  }, 180_000);
  afterAll(async () => cloud?.stop());

  const api = (path: string, init: RequestInit & { json?: unknown; key?: string } = {}) =>
    fetch(`${cloud.urls.http}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${init.key ?? apiKey}`,
        // The local cloud's own routes take state changes only from tools that say so.
        ...(path.startsWith('/_local/') ? { 'x-backline-local': '1' } : {}),
        ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    });
  const now = async () => new Date(((await (await api('/_local/clock')).json()) as { now: string }).now);
  const webhook = async (labelId: string, secret: string, body: unknown) => {
    const signed = signedWebhook(secret, body, { at: await now() });
    return fetch(`${cloud.urls.http}/webhooks/${labelId}`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
  };
  const expense = () => ({
    type: 'expense.recorded',
    timestamp: new Date().toISOString(),
    data: { ...ExpenseRecorded.sample, expenseId: `exp-${randomBytes(6).toString('hex')}` },
  });

  it('holds webhook secrets in the table sealed under the local KMS key, never in plain text', async () => {
    const labelId = `label-${randomBytes(6).toString('hex')}`;
    const created = await api('/labels', {
      method: 'POST',
      json: { name: 'Nightshift Records', id: labelId },
    });
    const { webhookSecret } = (await created.json()) as { webhookSecret: string };
    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: cloud.urls.dynamodb, region, credentials }),
    );

    const { Item } = await documents.send(
      new GetCommand({ TableName: cloud.env.TABLE_NAME, Key: labelKey(labelId) }),
    );

    expect(JSON.stringify(Item)).not.toContain(webhookSecret.slice('whsec_'.length));
    expect(Item?.secrets[0].sealed).toMatchObject({
      dataKey: expect.any(String),
      ciphertext: expect.any(String),
    });
    expect(cloud.env.AWS_ENDPOINT_URL_KMS).toBe(cloud.urls.bus);
  });

  // Last: it stops the cloud, so that every line it would print has been printed.
  it('prints neither the API key nor a webhook secret while intake and the management API run', async () => {
    const labelId = `label-${randomBytes(6).toString('hex')}`;
    const created = await api('/labels', {
      method: 'POST',
      json: { name: 'Nightshift Records', id: labelId },
    });
    const { webhookSecret: first } = (await created.json()) as { webhookSecret: string };
    const rotated = await api(`/labels/${labelId}/secrets/rotate`, { method: 'POST' });
    const { webhookSecret: second } = (await rotated.json()) as { webhookSecret: string };
    // Publishing fails for a while, so intake and the outbox sweep log about this label's webhooks.
    await api('/_local/faults', { method: 'POST', json: { name: 'events.put-fail', times: 8 } });
    const statuses = [
      (await webhook(labelId, second, expense())).status,
      (await webhook(labelId, first, expense())).status,
      (await webhook(labelId, aSecret(), expense())).status,
      (await webhook(labelId, second, { type: 'expense.recorded' })).status,
      (await api(`/labels/${labelId}`)).status,
      (await api(`/labels/${labelId}`, { key: `${apiKey}x` })).status,
      (
        await api(`/labels/${labelId}/replays`, {
          method: 'POST',
          json: { from: '2020-01-01T00:00:00Z', to: new Date(Date.now() + 86_400_000).toISOString() },
        })
      ).status,
      (await api(`/labels/${labelId}/secrets/revoke`, { method: 'POST' })).status,
      (
        await api('/media-outlets', {
          method: 'POST',
          json: anOutletInput({ email: `${labelId}@magazine.example` }),
        })
      ).status,
    ];
    await api('/_local/faults', { method: 'DELETE' });
    const later = new Date((await now()).getTime() + 2 * 60_000).toISOString();
    await api('/_local/clock', { method: 'POST', json: { advanceTo: later } });
    // Intake keeps a label in memory for 30 s: the revoked secret is refused once that has passed.
    statuses.push((await webhook(labelId, first, expense())).status);
    await api('/_local/idle');
    await cloud.stop();

    const secrets = [apiKey, first, second];
    const forms = secrets.flatMap((secret) => [
      secret,
      Buffer.from(secret).toString('base64'),
      ...(secret.startsWith('whsec_') ? [secret.slice('whsec_'.length)] : []),
    ]);
    const printed = lines.join('\n');
    expect(statuses).toEqual([202, 202, 401, 400, 200, 401, 202, 200, 201, 401]);
    // The capture did see the functions' own (Powertools) logs.
    expect(printed).toMatch(/"level":"(WARN|INFO|ERROR)"/);
    for (const form of forms) expect(printed).not.toContain(form);
    expect(printed).not.toContain('whsec_');
  });
});
