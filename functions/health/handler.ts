import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import { type DocumentedRoute, type HttpEvent, type HttpResult, json } from '#shared/http/index.ts';
import { observability } from '#shared/lambda/observability.ts';

/**
 * The API document, read on its first request: bundled, it is a 96 KB object literal that took about
 * 1 ms of every cold start to build, and `GET /health` never needs it (see docs/design.md#bundles).
 */
const apiDocument = async () => (await import('../../docs/openapi.json', { with: { type: 'json' } })).default;

/**
 * `GET /health`: the API answers (locally, the gateway first checks that every emulator is ready).
 * `GET /openapi.json`: the API document (docs/openapi.json, bundled with the function).
 */
export const healthRoutes: DocumentedRoute[] = [
  {
    method: 'GET',
    path: '/health',
    handler: async (): Promise<HttpResult> => json(200, { status: 'ok' }, { 'cache-control': 'no-store' }),
    doc: { summary: 'The API answers', responses: { 200: { description: '`{"status": "ok"}`' } } },
  },
  {
    method: 'GET',
    path: '/openapi.json',
    handler: async (): Promise<HttpResult> => json(200, await apiDocument()),
    doc: { summary: 'This document (OpenAPI 3.1)', responses: { 200: { description: 'the API document' } } },
  },
];

export const handler = middy<HttpEvent, HttpResult>()
  .use(observability('health'))
  .handler(httpRouterHandler<HttpEvent, HttpResult>(healthRoutes));
