import { request, type Server } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '#infra/local/gateway.ts';
import { listen } from '#infra/local/ports.ts';
import type { FunctionName, FunctionSpec } from '#infra/topology.ts';

const anyPage = { method: 'ANY', path: '/pages/{token}', auth: 'public' };
const functions = [
  [
    'hooks',
    {
      entry: 'x',
      description: 'x',
      may: [],
      on: [
        { kind: 'http', method: 'POST', path: '/webhooks/{labelId}', auth: 'webhook' },
        { kind: 'http', method: 'GET', path: '/media-outlets/import', auth: 'apiKey' },
        { kind: 'http', method: 'GET', path: '/media-outlets/{outletId}', auth: 'apiKey' },
        { kind: 'http', method: 'GET', path: '/pages/{token}', auth: 'public', via: anyPage },
        { kind: 'http', method: 'HEAD', path: '/pages/{token}', auth: 'public', via: anyPage },
        { kind: 'http', method: 'POST', path: '/pages/{token}', auth: 'public' },
      ],
    },
  ],
] as unknown as [FunctionName, FunctionSpec][];

let server: Server;
let base: string;
const received: APIGatewayProxyEventV2[] = [];
let answer: unknown = { statusCode: 204 };

beforeAll(async () => {
  server = createGateway({
    functions,
    account: '000000000000',
    admin: async () => ({ status: 404, body: {} }),
    invoke: async (_, event) => {
      received.push(event);
      return answer;
    },
  });
  base = `http://127.0.0.1:${await listen(server, 0, 'gateway')}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const last = () => received[received.length - 1];

describe('the local HTTP gateway', () => {
  it('builds a payload 2.0 event: route key, raw path and query, lower-cased headers, cookies, path parameters', async () => {
    await fetch(`${base}/webhooks/lbl%2D1?a=1&a=2&b=x`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Custom': 'one', Cookie: 'c1=v1; c2=v2' },
      body: '{"type":"release.scheduled"}',
    });

    const event = last();
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /webhooks/{labelId}',
      rawPath: '/webhooks/lbl%2D1',
      rawQueryString: 'a=1&a=2&b=x',
      cookies: ['c1=v1', 'c2=v2'],
      queryStringParameters: { a: '1,2', b: 'x' },
      pathParameters: { labelId: 'lbl-1' },
      isBase64Encoded: false,
      body: '{"type":"release.scheduled"}',
      requestContext: { http: { method: 'POST', path: '/webhooks/lbl%2D1' }, stage: '$default' },
    });
    expect(event.headers['x-custom']).toBe('one');
    expect(event.headers['content-type']).toBe('application/json');
    expect(event.headers.cookie).toBeUndefined();
  });

  it('hands over the query string as the request line had it, in rawQueryString, and its values decoded', async () => {
    // fetch writes a URL as browsers do (a quote becomes %27); a client such as curl sends it as it is
    // (a fragment too, which is no part of the query).
    await new Promise<void>((resolve, reject) => {
      const { hostname, port } = new URL(base);
      const path = `/media-outlets/o-1?name=O'Brien&q="a"&t=%7E#top`;
      request({ hostname, port, path, method: 'GET' }, (response) => {
        response.resume().on('end', resolve);
      })
        .on('error', reject)
        .end();
    });

    const event = last();
    expect(event.rawQueryString).toBe(`name=O'Brien&q="a"&t=%7E`);
    expect(event.queryStringParameters).toEqual({ name: "O'Brien", q: '"a"', t: '~' });
  });

  it('keeps a body byte for byte: text as it came, anything else base64-encoded', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x41]);

    await fetch(`${base}/webhooks/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    const binary = last();
    await fetch(`${base}/webhooks/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":"é ✓"}',
    });
    const text = last();

    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body!, 'base64')).toEqual(bytes);
    expect(text.body).toBe('{"a":"é ✓"}');
  });

  it('hands a form post over base64-encoded, as an HTTP API does with every type but text/*, JSON, XML and JavaScript', async () => {
    const form = 'List-Unsubscribe=One-Click';

    await fetch(`${base}/webhooks/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });

    const event = last();
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64').toString('utf8')).toBe(form);
  });

  it('prefers a literal route over a parameter at the same place', async () => {
    await fetch(`${base}/media-outlets/import`);

    expect(last().routeKey).toBe('GET /media-outlets/import');
  });

  it("hands a request an ANY route takes over with its own method, and prefers a route of the request's method", async () => {
    const answers = [];
    for (const method of ['GET', 'HEAD', 'POST', 'DELETE']) {
      await fetch(`${base}/pages/t1`, { method });
      answers.push(`${last().requestContext.http.method} ${last().routeKey}`);
    }

    expect(answers).toEqual([
      'GET ANY /pages/{token}',
      'HEAD ANY /pages/{token}',
      'POST POST /pages/{token}',
      'DELETE ANY /pages/{token}',
    ]);
  });

  it('answers 404 for an unknown route or method without invoking anything', async () => {
    const before = received.length;

    const unknown = await fetch(`${base}/nothing`);
    const wrongMethod = await fetch(`${base}/webhooks/x`);

    expect([unknown.status, wrongMethod.status]).toEqual([404, 404]);
    expect(received.length).toBe(before);
  });

  it("maps the handler's result back: status, headers, cookies, base64 bodies, and plain objects as 200 JSON", async () => {
    answer = { statusCode: 302, headers: { Location: 'https://example.com/a' }, cookies: ['s=1'], body: '' };
    const redirect = await fetch(`${base}/media-outlets/o1`, { redirect: 'manual' });
    answer = { statusCode: 200, isBase64Encoded: true, body: Buffer.from('hi').toString('base64') };
    const binary = await fetch(`${base}/media-outlets/o1`);
    answer = { hello: 'world' };
    const inferred = await fetch(`${base}/media-outlets/o1`);

    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('https://example.com/a');
    expect(redirect.headers.get('set-cookie')).toBe('s=1');
    expect(await binary.text()).toBe('hi');
    expect(inferred.status).toBe(200);
    expect(await inferred.json()).toEqual({ hello: 'world' });
  });

  it("adds no content type to the function's own answer: a 303 with no body says nothing of JSON", async () => {
    answer = {
      statusCode: 303,
      headers: { location: 'tok?saved=submitted', 'cache-control': 'no-store' },
      body: '',
    };
    const redirect = await fetch(`${base}/media-outlets/o1`, { method: 'GET', redirect: 'manual' });
    answer = { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<p>hi</p>' };
    const page = await fetch(`${base}/media-outlets/o1`);
    const unknown = await fetch(`${base}/nowhere`);

    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('content-type')).toBeNull();
    expect(await redirect.text()).toBe('');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // The gateway's own answers are JSON, and say so.
    expect(unknown.headers.get('content-type')).toBe('application/json');
    expect(await unknown.json()).toEqual({ message: 'Not Found' });
  });

  it('answers 400 naming the path, without invoking anything, when a path parameter is malformed percent-encoding', async () => {
    const before = received.length;

    const response = await fetch(`${base}/media-outlets/%E0%A4%A`);

    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain('malformed percent-encoding');
    expect(received.length).toBe(before);
  });
});

describe('the local HTTP gateway, where API Gateway and Lambda set limits', () => {
  let slow: Server;
  let slowBase: string;
  let reply: (event: APIGatewayProxyEventV2) => Promise<unknown>;
  const invoked: APIGatewayProxyEventV2[] = [];
  const finished: string[] = [];

  beforeAll(async () => {
    slow = createGateway({
      functions,
      account: '000000000000',
      admin: async () => ({ status: 404, body: {} }),
      invoke: async (_, event) => {
        invoked.push(event);
        return reply(event);
      },
      integrationTimeoutMs: 200,
    });
    slowBase = `http://127.0.0.1:${await listen(slow, 0, 'gateway')}`;
  });
  afterAll(() => new Promise<void>((resolve) => slow.close(() => resolve())));

  it('answers 503 Service Unavailable when the function runs past the integration timeout, and lets it run on', async () => {
    reply = async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      finished.push('slow');
      return { statusCode: 200, body: 'late' };
    };

    const response = await fetch(`${slowBase}/media-outlets/o1`);

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: 'Service Unavailable' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(finished).toEqual(['slow']);
  });

  it("answers 413 without invoking anything when the event would pass Lambda's 6 MB request payload", async () => {
    reply = async () => ({ statusCode: 204 });
    const before = invoked.length;
    // 4.8 MB of bytes: within API Gateway's 10 MB, but base64-encoded in the event it is 6.4 MB.
    const body = Buffer.alloc(4.8 * 1024 * 1024, 0xff);

    const response = await fetch(`${slowBase}/webhooks/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body,
    });

    expect(response.status).toBe(413);
    expect(invoked.length).toBe(before);
  });

  it("answers 500 when the function's answer passes Lambda's 6 MB response payload", async () => {
    reply = async () => ({ statusCode: 200, body: 'x'.repeat(6.5 * 1024 * 1024) });

    const response = await fetch(`${slowBase}/media-outlets/o1`);

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });
});
