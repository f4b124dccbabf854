import type { Server } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxImportBytes } from '#functions/management/outlets.ts';
import { createGateway } from '#infra/local/gateway.ts';
import { listen } from '#infra/local/ports.ts';
import type { FunctionName, FunctionSpec } from '#infra/topology.ts';

/**
 * POST /media-outlets/import documents "CSV with a header line, up to maxImportBytes bytes". The
 * gateway measures the event as Lambda does, as JSON, where every `"`, `\` and line break of a CSV is
 * escaped to two bytes: a CSV within the documented limit must still fit, however it is quoted
 * (docs/design.md#routes-and-auth), not be refused with 413 {"message":"Request Too Long"}.
 */
const functions = [
  [
    'management',
    {
      entry: 'x',
      description: 'x',
      may: [],
      on: [{ kind: 'http', method: 'POST', path: '/media-outlets/import', auth: 'apiKey' }],
    },
  ],
] as unknown as [FunctionName, FunctionSpec][];

let server: Server;
let base: string;
const received: APIGatewayProxyEventV2[] = [];

beforeAll(async () => {
  server = createGateway({
    functions,
    account: '000000000000',
    admin: async () => ({ status: 404, body: {} }),
    invoke: async (_, event) => {
      received.push(event);
      return { statusCode: 202, body: '{}' };
    },
  });
  base = `http://127.0.0.1:${await listen(server, 0, 'gateway')}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the import limit against the gateway', () => {
  it('hands the import route a CSV of its documented limit whose every byte after the header is escaped in the event, instead of answering 413', async () => {
    const header = 'name,email,kind,genres,territories\n';
    // The most a CSV grows as a JSON string: quotes and line breaks only, each two bytes escaped.
    const worst = '""\n';
    const csv = header + worst.repeat(Math.floor((maxImportBytes - header.length) / worst.length));
    expect(Buffer.byteLength(csv)).toBeLessThanOrEqual(maxImportBytes);
    expect(Buffer.byteLength(csv)).toBeGreaterThan(maxImportBytes - worst.length);

    const response = await fetch(`${base}/media-outlets/import`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv' },
      body: csv,
    });

    expect({ status: response.status, invoked: received.length }).toEqual({ status: 202, invoked: 1 });
  });
});
