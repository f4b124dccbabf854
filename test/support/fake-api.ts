import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runScript, type ScriptRun } from './run-script.ts';

/** A request the fake management API received: its body read whole. */
export interface FakeRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What a route answers: `json` is sent as `application/json`, `text` as it is (200 unless `status`). */
export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
}

/** Routes by `METHOD /path` (the path without its query string); any other request is answered 404. */
export type FakeRoutes = Record<string, (request: FakeRequest) => FakeAnswer>;

export interface FakeApi {
  url: string;
  /** Every request received, in order: a command refused before any request leaves this as it was. */
  requests: FakeRequest[];
  /** `backline` run as a person runs it, logged in to this API (`BACKLINE_API_URL`, key `key`). */
  backline: (args: string[]) => Promise<ScriptRun>;
  close: () => Promise<void>;
}

/**
 * The management API as far as a CLI test needs it, on a free port of 127.0.0.1: each route answers
 * what the real one would for the case under test. What it does not route is a 404 with an error code,
 * as the API's own not found is (the CLI reads a 404 without one as a route this Backline lacks).
 */
export async function fakeApi(routes: FakeRoutes): Promise<FakeApi> {
  const requests: FakeRequest[] = [];
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request: FakeRequest = {
        method: incoming.method ?? 'GET',
        url: new URL(incoming.url ?? '/', 'http://127.0.0.1'),
        headers: incoming.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(request);
      const route = routes[`${request.method} ${request.url.pathname}`];
      const answer = route ? route(request) : { status: 404, json: { error: 'not found' } };
      const json = answer.json !== undefined;
      response
        .writeHead(answer.status ?? 200, {
          ...(json ? { 'content-type': 'application/json' } : {}),
          ...answer.headers,
        })
        .end(json ? JSON.stringify(answer.json) : (answer.text ?? ''));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    backline: (args) =>
      runScript('infra/cli/backline.ts', args, { BACKLINE_API_URL: url, BACKLINE_API_KEY: 'key' }),
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
