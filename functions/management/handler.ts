import middy from '@middy/core';
import httpRouterHandler, { type Route } from '@middy/http-router';
import { type HttpEvent, type HttpResult, httpErrors, requireApiKey } from '#shared/http/index.ts';
import { apiKey } from '#shared/secrets.ts';
import { type LabelRoutesDeps, labelRoutes, liveLabelRoutesDeps } from './labels.ts';
import { liveOutletRoutesDeps, type OutletRoutesDeps, outletRoutes } from './outlets.ts';
import { liveReleaseRoutesDeps, type ReleaseRoutesDeps, releaseRoutes } from './releases.ts';

export type ManagementRoute = Route<HttpEvent, HttpResult>;

export interface ManagementDeps {
  apiKey: () => Promise<string>;
  labels: LabelRoutesDeps;
  outlets: OutletRoutesDeps;
  releases: ReleaseRoutesDeps;
}

/** The manager's API: every route needs the bearer key (topology auth `apiKey`). */
export const makeHandler = (deps: ManagementDeps) =>
  middy<HttpEvent, HttpResult>()
    .use(httpErrors())
    .use(requireApiKey(deps.apiKey))
    .handler(
      httpRouterHandler<HttpEvent, HttpResult>([
        ...labelRoutes(deps.labels),
        ...outletRoutes(deps.outlets),
        ...releaseRoutes(deps.releases),
      ]),
    );

export const handler = makeHandler({
  apiKey,
  labels: liveLabelRoutesDeps(),
  outlets: liveOutletRoutesDeps(),
  releases: liveReleaseRoutesDeps(),
});
