import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import { type DocumentedRoute, type HttpEvent, type HttpResult, json } from '#shared/http/index.ts';
import { observability } from '#shared/lambda/observability.ts';

/**
 * The API document (docs/openapi.json; `./openapi.json` links to it), read on its first request. It
 * is shipped beside the bundle, not in it (`besideBundle` in the topology): in the bundle, its 96 KB
 * were compiled on every cold start, `GET /health`'s included (see docs/design.md#bundles).
 */
const apiDocument = async () => (await import('./openapi.json', { with: { type: 'json' } })).default;

/**
 * `GET /health`: the API answers (locally, the gateway first checks that every emulator is ready).
 * `GET /openapi.json`: the API document (docs/openapi.json, shipped beside the function's bundle).
 */
export const healthRoutes: DocumentedRoute[] = [
  {
    method: 'GET',
    path: '/health',
    handler: async (): Promise<HttpResult> => json(200, { status: 'ok' }, { 'cache-control': 'no-store' }),
    doc: {
      summary: 'The API answers',
      responses: {
        200: {
          description: '`{"status": "ok"}`',
          jsonSchema: {
            type: 'object',
            properties: { status: { const: 'ok' } },
            required: ['status'],
            additionalProperties: false,
          },
        },
      },
    },
  },
  {
    method: 'GET',
    path: '/openapi.json',
    handler: async (): Promise<HttpResult> => json(200, await apiDocument()),
    doc: {
      summary: 'This document (OpenAPI 3.1)',
      responses: {
        200: {
          description: 'the API document',
          jsonSchema: {
            type: 'object',
            properties: { openapi: { type: 'string' }, info: { type: 'object' }, paths: { type: 'object' } },
            required: ['openapi', 'info', 'paths'],
          },
        },
      },
    },
  },
];

export const handler = middy<HttpEvent, HttpResult>()
  .use(observability('health'))
  .handler(httpRouterHandler<HttpEvent, HttpResult>(healthRoutes));
