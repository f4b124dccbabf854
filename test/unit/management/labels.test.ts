import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { type LabelRoutesDeps, labelRoutes } from '#functions/management/labels.ts';
import type { WebhookRecord } from '#shared/db/webhooks.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { aContext, aLabel, aReleaseWebhook, InMemoryLabels } from '#test/support/intake.ts';
import { jobWorld } from '#test/support/jobs.ts';

const now = new Date('2027-01-05T10:00:00Z');

function management() {
  const labels = new InMemoryLabels(aLabel());
  const world = jobWorld({ labels });
  const { webhooks } = world;
  let secrets = 0;
  let clock = now;
  world.clock.now = now;
  const deps: LabelRoutesDeps = {
    labels,
    jobs: world.routes,
    now: () => clock,
    newSecret: () => `whsec_secret${++secrets}`,
    newLabelId: () => 'generated-id',
  };
  const routes = labelRoutes(deps);
  const call = async (
    method: string,
    path: string,
    pattern: string,
    pathParameters: Record<string, string>,
    body?: unknown,
  ) => {
    const route = routes.find((r) => r.method === method && r.path === pattern);
    if (!route) throw new Error(`no route ${method} ${pattern}`);
    const event = {
      rawPath: path,
      pathParameters,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      isBase64Encoded: false,
    } as unknown as HttpEvent;
    try {
      const result = (await (route.handler as (e: HttpEvent, c: unknown) => Promise<HttpResult>)(
        event,
        aContext(),
      )) as HttpResult;
      return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
    } catch (error) {
      const e = error as { status?: number; body?: unknown };
      if (e.status) return { status: e.status, body: e.body as Record<string, unknown> };
      throw error;
    }
  };
  return { labels, webhooks, world, call, setNow: (at: Date) => (clock = at) };
}

const aRecord = (
  webhookId: string,
  receivedAt: string,
  overrides: Partial<WebhookRecord> = {},
): WebhookRecord => ({
  labelId: 'nightshift-records',
  webhookId,
  eventId: `evt-${webhookId}`,
  type: 'release.scheduled',
  body: JSON.stringify(aReleaseWebhook()),
  receivedAt,
  status: 'published',
  expiresAt: now.getTime() / 1000 + 86_400,
  ...overrides,
});

describe('label routes', () => {
  it('creates a label with a whsec_ secret, under a given or a generated id', async () => {
    const { call } = management();

    const given = await call('POST', '/labels', '/labels', {}, { name: 'Lunar Tapes', id: 'lunar-tapes' });
    const generated = await call('POST', '/labels', '/labels', {}, { name: 'Sol Audio' });

    expect(given).toEqual({
      status: 201,
      body: { id: 'lunar-tapes', name: 'Lunar Tapes', webhookSecret: 'whsec_secret1' },
    });
    expect(generated.body.id).toBe('generated-id');
  });

  it('answers 409 when the label id exists, keeping its secret', async () => {
    const { call, labels } = management();
    const before = labels.items.get('nightshift-records')?.secrets;

    const response = await call(
      'POST',
      '/labels',
      '/labels',
      {},
      { name: 'Impostor', id: 'nightshift-records' },
    );

    expect(response.status).toBe(409);
    expect(labels.items.get('nightshift-records')?.secrets).toEqual(before);
  });

  it('answers 400 naming the field for a bad label', async () => {
    const { call } = management();

    const response = await call('POST', '/labels', '/labels', {}, { name: '', id: 'a#b' });

    expect(response.status).toBe(400);
    expect(response.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['id', 'name']);
  });

  it('answers 400 naming the name of a label made only of a zero-width space and a word joiner, and adds no label', async () => {
    const { call, labels } = management();

    const response = await call('POST', '/labels', '/labels', {}, { name: '\u200b\u2060' });

    expect(response).toEqual({
      status: 400,
      body: expect.objectContaining({ issues: [{ path: 'name', message: 'must not be empty' }] }),
    });
    expect([...labels.items.keys()]).toEqual(['nightshift-records']);
  });

  it('answers 400 naming a misspelt field, and adds no label under a generated id', async () => {
    const { call, labels } = management();

    const response = await call('POST', '/labels', '/labels', {}, { name: 'Lunar Tapes', ID: 'lunar-tapes' });

    expect(response).toEqual({
      status: 400,
      body: expect.objectContaining({ issues: [{ path: 'ID', message: 'is not a known field' }] }),
    });
    expect([...labels.items.keys()]).toEqual(['nightshift-records']);
  });

  it('describes a label without any secret value', async () => {
    const { call } = management();

    const response = await call('GET', '/labels/nightshift-records', '/labels/{labelId}', {
      labelId: 'nightshift-records',
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: 'nightshift-records', name: 'Nightshift Records' });
    expect(JSON.stringify(response.body)).not.toContain('whsec_');
  });

  it('lists only the secrets that still verify: one rotated out whose 24 hours have passed is left out', async () => {
    const { call, setNow } = management();
    await call('POST', '/labels/nightshift-records/secrets/rotate', '/labels/{labelId}/secrets/rotate', {
      labelId: 'nightshift-records',
    });
    const view = () =>
      call('GET', '/labels/nightshift-records', '/labels/{labelId}', { labelId: 'nightshift-records' });
    const withinGrace = await view();
    setNow(new Date('2027-01-06T10:00:00.001Z'));

    const retired = await view();

    expect(withinGrace.body.secrets).toEqual([
      { createdAt: '2027-01-05T10:00:00.000Z' },
      { createdAt: '2027-01-01T00:00:00.000Z', retiresAt: '2027-01-06T10:00:00.000Z' },
    ]);
    expect(retired.body.secrets).toEqual([{ createdAt: '2027-01-05T10:00:00.000Z' }]);
  });

  it('answers 404 for an unknown label', async () => {
    const { call } = management();

    const response = await call('GET', '/labels/nobody', '/labels/{labelId}', { labelId: 'nobody' });

    expect(response.status).toBe(404);
  });

  it('rotates the secret: 201 with the new one, the old one retiring in 24 hours', async () => {
    const { call, labels } = management();

    const response = await call(
      'POST',
      '/labels/nightshift-records/secrets/rotate',
      '/labels/{labelId}/secrets/rotate',
      { labelId: 'nightshift-records' },
    );

    expect(response).toEqual({
      status: 201,
      body: {
        id: 'nightshift-records',
        webhookSecret: 'whsec_secret1',
        previousSecretRetiresAt: '2027-01-06T10:00:00.000Z',
      },
    });
    expect(labels.items.get('nightshift-records')?.secrets.map((s) => s.retiresAt)).toEqual([
      undefined,
      '2027-01-06T10:00:00.000Z',
    ]);
  });
});

describe('revoking and capping webhook secrets', () => {
  const rotate = (call: ReturnType<typeof management>['call']) =>
    call('POST', '/labels/nightshift-records/secrets/rotate', '/labels/{labelId}/secrets/rotate', {
      labelId: 'nightshift-records',
    });
  const revoke = (call: ReturnType<typeof management>['call']) =>
    call('POST', '/labels/nightshift-records/secrets/revoke', '/labels/{labelId}/secrets/revoke', {
      labelId: 'nightshift-records',
    });

  it('refuses a rotation past three active secrets with 409, keeping the secrets as they were', async () => {
    const { call, labels } = management();
    await rotate(call);
    await rotate(call);
    const before = labels.items.get('nightshift-records')?.secrets;

    const response = await rotate(call);

    expect(response.status).toBe(409);
    expect(String(response.body.message)).toMatch(/already has 3 active secrets.*secrets\/revoke/);
    expect(labels.items.get('nightshift-records')?.secrets).toEqual(before);
  });

  it('revokes every rotated-out secret at once and keeps the current one', async () => {
    const { call, labels } = management();
    await rotate(call);
    await rotate(call);

    const response = await revoke(call);

    expect(response).toEqual({ status: 200, body: { id: 'nightshift-records', revoked: 2 } });
    expect(labels.items.get('nightshift-records')?.secrets.map((s) => s.value)).toEqual(['whsec_secret2']);
  });

  it('lets a label rotate again once the rotated-out secrets are revoked', async () => {
    const { call } = management();
    await rotate(call);
    await rotate(call);
    await revoke(call);

    const response = await rotate(call);

    expect(response.status).toBe(201);
  });

  it('counts retired secrets as inactive: rotating once a day never hits the cap', async () => {
    const { call, setNow } = management();
    await rotate(call);
    setNow(new Date(now.getTime() + 25 * 3_600_000));
    await rotate(call);

    const response = await rotate(call);

    expect(response.status).toBe(201);
  });
});

/** POST /labels/{labelId}/replays with `body` (a range, or what a caller sent for one), for nightshift-records unless `labelId`. */
const replay = (
  call: ReturnType<typeof management>['call'],
  body: Record<string, string>,
  labelId = 'nightshift-records',
) => call('POST', `/labels/${labelId}/replays`, '/labels/{labelId}/replays', { labelId }, body);

describe('webhook replay', () => {
  it('answers 202 with a job at once, which puts the webhooks in the range back in the outbox, oldest first', async () => {
    const { call, webhooks, world } = management();
    for (const record of [
      aRecord('before', '2027-01-01T00:00:00.000Z'),
      aRecord('second', '2027-01-03T00:00:00.000Z'),
      aRecord('first', '2027-01-02T00:00:00.000Z'),
      aRecord('third', '2027-01-04T00:00:00.000Z', { status: 'pending' }),
      aRecord('after', '2027-01-05T00:00:00.000Z'),
      aRecord('other', '2027-01-03T00:00:00.000Z', { labelId: 'other-label' }),
    ])
      webhooks.items.set(`${record.labelId}#${record.webhookId}`, record);

    const response = await replay(call, { from: '2027-01-02T00:00:00Z', to: '2027-01-04T00:00:00Z' });
    const requeuedAtOnce = webhooks.requeued.length;
    const outboxAtOnce = world.store.outbox.map((entry) => entry.detailType);
    await world.drain();
    const job = await describeJob(response.body.jobId, world.routes);

    expect(response).toEqual({
      status: 202,
      body: { jobId: expect.stringMatching(/^job-/), status: 'queued' },
    });
    expect(requeuedAtOnce).toBe(0);
    expect(outboxAtOnce).toEqual(['Job Requested']);
    expect(job).toMatchObject({ kind: 'webhook-replay', status: 'done', result: { replayed: 3 } });
    expect(webhooks.requeued.map((r) => r.eventId)).toEqual(['evt-first', 'evt-second', 'evt-third']);
    expect(webhooks.items.get('nightshift-records#second')?.status).toBe('pending');
  });

  it('answers 400 for a range that ends before it starts, and starts no job', async () => {
    const { call, world } = management();

    const response = await replay(call, { from: '2027-01-04T00:00:00Z', to: '2027-01-02T00:00:00Z' });

    expect(response.status).toBe(400);
    expect(response.body.issues[0].path).toBe('to');
    expect(world.store.jobs.size).toBe(0);
  });

  it('answers 400 saying what an instant lacks when from or to is given without its zone, or as a day, and starts no job', async () => {
    const { call, world } = management();

    const response = await replay(call, { from: '2027-01-02T00:00:00', to: '2027-01-04' });

    const wanted = 'must be an ISO 8601 date-time with a time zone, such as 2027-01-05T10:00:00Z';
    expect(response).toEqual({
      status: 400,
      body: expect.objectContaining({
        issues: [
          { path: 'from', message: wanted },
          { path: 'to', message: wanted },
        ],
      }),
    });
    expect(world.store.jobs.size).toBe(0);
  });

  it('answers 400 naming a field a range does not have, and starts no job', async () => {
    const { call, world } = management();

    const response = await replay(call, {
      from: '2027-01-02T00:00:00Z',
      to: '2027-01-04T00:00:00Z',
      type: 'release.scheduled',
    });

    expect(response).toEqual({
      status: 400,
      body: expect.objectContaining({ issues: [{ path: 'type', message: 'is not a known field' }] }),
    });
    expect(world.store.jobs.size).toBe(0);
  });

  it('replays every webhook up to a `to` late on 9999-12-31 given with a negative offset, or answers 400 naming to and starts no job', async () => {
    const { call, webhooks, world } = management();
    webhooks.items.set('nightshift-records#a', aRecord('a', '2027-01-02T00:00:00.000Z'));
    webhooks.items.set('nightshift-records#b', aRecord('b', '2027-01-03T00:00:00.000Z'));

    // A valid ISO 8601 date-time (the route's schema takes it); in UTC it is 10000-01-01T00:30Z.
    const response = await replay(call, { from: '2027-01-01T00:00:00Z', to: '9999-12-31T23:30:00-01:00' });

    if (response.status === 202) {
      await world.drain();
      const job = await describeJob(response.body.jobId, world.routes);
      expect(job).toMatchObject({ status: 'done', result: { replayed: 2 } });
      expect(webhooks.requeued.map((r) => r.eventId)).toEqual(['evt-a', 'evt-b']);
    } else {
      expect(response.status).toBe(400);
      expect(response.body.issues[0].path).toBe('to');
      expect(world.store.jobs.size).toBe(0);
    }
  });

  it('answers 404 for an unknown label', async () => {
    const { call } = management();

    const response = await replay(
      call,
      { from: '2027-01-01T00:00:00Z', to: '2027-01-04T00:00:00Z' },
      'nobody',
    );

    expect(response.status).toBe(404);
  });

  // Whether the label exists is all a replay asks of it: its secrets are KMS-sealed, and opening them
  // (a Decrypt a secret) would fail the route while KMS throttles or refuses (docs/design.md#secrets).
  it("starts a replay without opening the label's secrets", async () => {
    const { call, labels } = management();
    labels.get = async () => {
      throw new Error('KMS: ThrottlingException');
    };

    const response = await replay(call, { from: '2027-01-01T00:00:00Z', to: '2027-01-04T00:00:00Z' });

    expect(response.status).toBe(202);
  });

  it('retries a page that failed, and fails the job, saying why, when it keeps failing', async () => {
    const { call, webhooks, world } = management();
    webhooks.items.set('nightshift-records#a', aRecord('a', '2027-01-02T00:00:00.000Z'));
    const response = await replay(call, { from: '2027-01-01T00:00:00Z', to: '2027-01-04T00:00:00Z' });
    webhooks.receivedBetween = async () => {
      throw new Error('DynamoDB is unavailable');
    };

    const outcomes = [];
    for (let attempt = 0; attempt < 3; attempt++)
      outcomes.push(
        await runJobPage({ jobId: response.body.jobId, page: 0 }, world.runner).catch(() => 'thrown'),
      );

    expect(outcomes.map((o) => (typeof o === 'string' ? o : o.outcome))).toEqual([
      'thrown',
      'thrown',
      'failed',
    ]);
    expect(await describeJob(response.body.jobId, world.routes)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/page 0 failed 3 times: DynamoDB is unavailable/),
    });
  });
});

describe('a replay whose from is not an instant', () => {
  it('answers 400 naming from alone, not a valid to, and starts no job', async () => {
    const { call, world } = management();

    const response = await replay(call, { from: 'yesterday', to: '2027-01-04T00:00:00Z' });

    expect(response.status).toBe(400);
    expect((response.body.issues as { path: string }[]).map((issue) => issue.path)).not.toContain('to');
    expect(world.store.jobs.size).toBe(0);
  });
});
