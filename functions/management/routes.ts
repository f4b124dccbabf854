import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import {
  type DocumentedRoute,
  type HttpEvent,
  type HttpResult,
  httpErrors,
  pathIdLimits,
  requireApiKey,
} from '#shared/http/index.ts';
import { observability } from '#shared/lambda/observability.ts';

/** One route of the management API, as each route module (labels, outlets, releases) lists them, with its API document entry. */
export type ManagementRoute = DocumentedRoute;

/**
 * A function of the manager's API (management, office): every route needs the bearer key (topology
 * auth `apiKey`). The API is served by more than one function so that each bundles only its own
 * areas' code (see docs/design.md#bundles).
 */
export const managementApi = (service: string, apiKey: () => Promise<string>, routes: ManagementRoute[]) =>
  middy<HttpEvent, HttpResult>()
    .use(observability(service))
    .use(httpErrors())
    .use(requireApiKey(apiKey))
    .use(pathIdLimits())
    .handler(httpRouterHandler<HttpEvent, HttpResult>(routes));
