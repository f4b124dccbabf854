import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { adminRoutes } from '#infra/local/admin.ts';
import { LocalBus } from '#infra/local/bus/bus.ts';
import { Faults } from '#infra/local/faults.ts';
import { InFlight } from '#infra/local/in-flight.ts';
import { RequestCounts } from '#infra/local/request-counts.ts';
import type { SesEvent } from '#infra/local/ses/events.ts';

function aCloud(settleMs = 200, whenIdle?: (heldRetries?: 'all' | 'due') => Promise<void>) {
  let now = Date.parse('2030-01-01T00:00:00Z');
  const clock = {
    now: () => new Date(now),
    offsetMs: () => 0,
    raiseTo: (t: Date) => {
      now = Math.max(now, t.getTime());
    },
  };
  const inFlight = new InFlight();
  const bus = new LocalBus({
    functions: [],
    invoke: async () => undefined,
    faults: new Faults(),
    account: '000000000000',
    region: 'us-east-1',
    retryBaseMs: 1,
  });
  const moves: string[] = [];
  let streamsEnabled = true;
  const requests = new RequestCounts();
  const sesPublished: SesEvent[] = [];
  const admin = adminRoutes({
    clock,
    scheduler: {
      advanceTo: async (t) => {
        moves.push(t.toISOString());
        clock.raiseTo(t);
        return [];
      },
      pending: () => [],
      deadLetters: () => [],
      expiredDeadLetters: () => [],
      redrive: async () => ({ redriven: 0, failed: 0 }),
    },
    bus,
    faults: new Faults(),
    inFlight,
    isReady: () => true,
    whenIdle: whenIdle ?? (() => bus.whenIdle()),
    streamDeadLetters: () => [],
    requests,
    streams: {
      enabled: () => streamsEnabled,
      setEnabled: (enabled) => {
        streamsEnabled = enabled;
      },
    },
    ses: {
      publish: async (events) => {
        sesPublished.push(...events);
      },
    },
    console: {
      managerTimeZone: 'Europe/London',
      sesUrl: () => 'http://127.0.0.1:9',
      api: async () => new Response('{}', { status: 404 }),
    },
    urls: () => ({}),
    settleMs,
  });
  const request = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
    admin(
      { method, headers: { host: 'localhost:3000', ...headers } } as unknown as IncomingMessage,
      new URL(path, 'http://localhost:3000'),
      Buffer.from(body === undefined ? '' : JSON.stringify(body)),
    );
  return {
    bus,
    clock,
    inFlight,
    moves,
    request,
    requests,
    sesPublished,
    streamsEnabled: () => streamsEnabled,
  };
}

const local = { 'x-backline-local': '1' };

describe('the local admin routes', () => {
  it('refuse a state-changing request without the x-backline-local header, and change nothing', async () => {
    const cloud = aCloud();

    const answer = await cloud.request('POST', '/_local/clock', {}, { advanceTo: '2031-01-01T00:00:00Z' });

    expect(answer.status).toBe(403);
    expect(JSON.stringify(answer.body)).toContain('x-backline-local: 1');
    expect(cloud.moves).toEqual([]);
  });

  it('answers 400 naming advanceTo for a time without its zone, which this machine would read in its own, and moves nothing', async () => {
    const cloud = aCloud();

    const answers = await Promise.all(
      ['2031-01-01T10:00', '2031-01-01T10:00:00', 'tomorrow'].map((advanceTo) =>
        cloud.request('POST', '/_local/clock', local, { advanceTo }),
      ),
    );

    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400]);
    expect(JSON.stringify(answers[0].body)).toContain('advanceTo');
    expect(cloud.moves).toEqual([]);
  });

  it('answers 400 naming advanceTo for a day the calendar does not have, which Date would roll into March, and moves nothing', async () => {
    const cloud = aCloud();

    const answers = await Promise.all(
      ['2031-02-30T10:00:00Z', '2031-02-29T10:00:00+01:00'].map((advanceTo) =>
        cloud.request('POST', '/_local/clock', local, { advanceTo }),
      ),
    );

    expect(answers.map((answer) => answer.status)).toEqual([400, 400]);
    expect(JSON.stringify(answers[0].body)).toContain('advanceTo');
    expect(cloud.moves).toEqual([]);
  });

  it('answers 400 naming from or to for a replay range without its zone or on a day the calendar does not have, and replays nothing', async () => {
    const cloud = aCloud();
    cloud.bus.putEvents([
      { Source: 'backline.test', DetailType: 'Test Event', Detail: '{}', Time: '2030-01-01T10:30:00Z' },
    ]);

    const answers = await Promise.all(
      [
        // Read in this machine's zone, the hour replayed would be another one wherever it is not UTC.
        { from: '2030-01-01T10:00', to: '2030-01-01T11:00:00Z' },
        { from: '2030-01-01T10:00:00Z', to: '2030-02-30T00:00:00Z' },
      ].map((range) => cloud.request('POST', '/_local/replay', local, { bus: 'backline', ...range })),
    );

    expect(answers.map((answer) => answer.status)).toEqual([400, 400]);
    expect(answers.map((answer) => JSON.stringify(answer.body))).toEqual([
      expect.stringContaining('"path":"from"'),
      expect.stringContaining('"path":"to"'),
    ]);
    expect(cloud.bus.recentEvents().filter(({ event }) => event['replay-name'] !== undefined)).toEqual([]);
  });

  it("answers 400 naming advanceTo for a time before the clock's now, which it cannot go back to, and moves nothing", async () => {
    const cloud = aCloud();

    const answer = await cloud.request('POST', '/_local/clock', local, { advanceTo: '2029-12-31T23:59:59Z' });

    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain(
      "must not be before the local clock's now, 2030-01-01T00:00:00.000Z",
    );
    expect(cloud.moves).toEqual([]);
  });

  it('refuse a request from a foreign web page even with the header', async () => {
    const cloud = aCloud();

    const answer = await cloud.request('DELETE', '/_local/faults', {
      ...local,
      origin: 'https://evil.example',
    });

    expect(answer.status).toBe(403);
    expect(JSON.stringify(answer.body)).toContain('https://evil.example');
  });

  it('take a request from a tool with the header, or from their own origin, and keep GET pages open', async () => {
    const cloud = aCloud();

    const fromTool = await cloud.request('DELETE', '/_local/faults', local);
    const sameOrigin = await cloud.request('DELETE', '/_local/faults', {
      ...local,
      origin: 'http://localhost:3000',
    });
    const page = await cloud.request('GET', '/_local/clock', { origin: 'https://elsewhere.example' });

    expect([fromTool.status, sameOrigin.status, page.status]).toEqual([200, 200, 200]);
  });

  it("pass /health by any other method than GET on to the API's routes, which answer as API Gateway does, not as a local admin route", async () => {
    const cloud = aCloud();

    const answers = await Promise.all(
      ['POST', 'PUT', 'DELETE'].map((method) => cloud.request(method, '/health')),
    );

    expect(answers.map((answer) => answer.status)).toEqual([0, 0, 0]);
  });

  it('disable and enable the outbox relay, and refuse an enabled that is not true or false', async () => {
    const cloud = aCloud();

    const disabled = await cloud.request('POST', '/_local/streams', local, { enabled: false });
    const shown = await cloud.request('GET', '/_local/streams');
    const refused = await cloud.request('POST', '/_local/streams', local, { enabled: 'no' });

    expect([disabled.body, shown.body]).toEqual([{ enabled: false }, { enabled: false }]);
    expect(refused).toMatchObject({ status: 400, body: { issues: [{ path: 'enabled' }] } });
    expect(cloud.streamsEnabled()).toBe(false);
  });

  it("hand SES's events to SES's own way onto the bus, and refuse one SES does not publish, naming the field, publishing nothing", async () => {
    const cloud = aCloud();
    const bounce = { detailType: 'Email Bounced', detail: { eventType: 'Bounce' }, resources: ['arn:x'] };

    const refused = await cloud.request('POST', '/_local/ses/events', local, {
      events: [bounce, { detailType: 'Email Opened', detail: {} }],
    });
    const published = await cloud.request('POST', '/_local/ses/events', local, { events: [bounce] });

    expect(refused).toMatchObject({
      status: 400,
      body: { issues: [{ path: 'events.1.detailType', message: expect.stringContaining('Email Bounced') }] },
    });
    expect(published).toEqual({ status: 200, body: { published: 1 } });
    expect(cloud.sesPublished).toEqual([
      expect.objectContaining({
        source: 'aws.ses',
        detailType: 'Email Bounced',
        detail: { eventType: 'Bounce' },
        resources: ['arn:x'],
      }),
    ]);
  });

  it('count the requests the AWS endpoints answered by service and operation', async () => {
    const cloud = aCloud();
    for (const target of ['DynamoDB_20120810.PutItem', 'DynamoDB_20120810.PutItem', 'TrentService.Decrypt'])
      cloud.requests.addTarget(target);
    cloud.requests.addTarget('DynamoDBStreams_20120810.GetRecords');

    const answer = await cloud.request('GET', '/_local/requests');

    expect(answer.body).toEqual({
      requests: { 'DynamoDB PutItem': 2, 'DynamoDB Streams GetRecords': 1, 'KMS Decrypt': 1 },
    });
  });

  it('move the clock only after the invocations in flight have finished', async () => {
    const cloud = aCloud(5_000);
    const order: string[] = [];
    let finish = () => {};
    const running = cloud.inFlight.track('announcer', 'Mailing Requested', async () => {
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      order.push('invocation finished');
    });

    const answer = cloud
      .request('POST', '/_local/clock', local, { advanceTo: '2030-01-01T00:16:00Z' })
      .then((a) => {
        order.push('clock moved');
        return a;
      });
    await new Promise((resolve) => setTimeout(resolve, 50));
    finish();
    await running;

    expect((await answer).status).toBe(200);
    expect(order).toEqual(['invocation finished', 'clock moved']);
    expect(cloud.moves).toEqual(['2030-01-01T00:16:00.000Z']);
  });

  it('move the clock without waiting first for a retry held until a time the jump reaches, and answer once it has run', async () => {
    const order: string[] = [];
    let jumped = () => {};
    const heldRetryRun = new Promise<void>((resolve) => {
      jumped = resolve;
    }).then(() => {
      order.push('held retry ran');
    });
    // The bus holds a retry until the clock passes a lease: idle but for it until the jump brings it due.
    const cloud = aCloud(5_000, (heldRetries) => (heldRetries === 'due' ? Promise.resolve() : heldRetryRun));
    const started = performance.now();

    const answer = cloud
      .request('POST', '/_local/clock', local, { advanceTo: '2030-01-01T00:01:00Z' })
      .then((a) => {
        order.push('answered');
        return a;
      });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const movedAfter50ms = [...cloud.moves];
    jumped();

    expect((await answer).status).toBe(200);
    expect(movedAfter50ms).toEqual(['2030-01-01T00:01:00.000Z']);
    expect(order).toEqual(['held retry ran', 'answered']);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('answer 409 naming what still runs, and leave the clock, when an invocation does not finish in time', async () => {
    const cloud = aCloud(100);
    let finish = () => {};
    const running = cloud.inFlight.track(
      'announcer',
      'Mailing Requested',
      () =>
        new Promise<void>((resolve) => {
          finish = resolve;
        }),
    );

    const answer = await cloud.request('POST', '/_local/clock', local, { advanceTo: '2030-01-01T00:16:00Z' });
    finish();
    await running;

    expect(answer.status).toBe(409);
    expect((answer.body as { message: string }).message).toContain('announcer (Mailing Requested');
    expect(cloud.moves).toEqual([]);
    expect(cloud.clock.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });
});
