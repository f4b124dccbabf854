import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import {
  type HttpEvent,
  type HttpResult,
  httpErrors,
  pathIdLimits,
  requireApiKey,
} from '#shared/http/index.ts';
import { observability } from '#shared/lambda/observability.ts';
import { apiKey } from '#shared/secrets.ts';
import {
  liveBudgetRoutesDeps,
  liveJobRoutesDeps,
  liveLabelRoutesDeps,
  liveOutletRoutesDeps,
  liveReleaseRoutesDeps,
  liveTourRoutesDeps,
} from './adapters.ts';
import { type BudgetRoutesDeps, budgetRoutes } from './budgets.ts';
import { type JobRoutesDeps, jobRoutes } from './jobs.ts';
import { type LabelRoutesDeps, labelRoutes } from './labels.ts';
import { type OutletRoutesDeps, outletRoutes } from './outlets.ts';
import { type ReleaseRoutesDeps, releaseRoutes } from './releases.ts';
import { type TourRoutesDeps, tourRoutes } from './tours.ts';

export interface ManagementDeps {
  apiKey: () => Promise<string>;
  budgets: BudgetRoutesDeps;
  labels: LabelRoutesDeps;
  jobs: JobRoutesDeps;
  outlets: OutletRoutesDeps;
  releases: ReleaseRoutesDeps;
  tours: TourRoutesDeps;
}

/** The manager's API: every route needs the bearer key (topology auth `apiKey`). */
export const makeHandler = (deps: ManagementDeps) =>
  middy<HttpEvent, HttpResult>()
    .use(observability('management'))
    .use(httpErrors())
    .use(requireApiKey(deps.apiKey))
    .use(pathIdLimits())
    .handler(httpRouterHandler<HttpEvent, HttpResult>(managementRoutes(deps)));

/** Every management route; a test holds them against the topology's routes. */
export const managementRoutes = (deps: ManagementDeps) => [
  ...labelRoutes(deps.labels),
  ...outletRoutes(deps.outlets),
  ...releaseRoutes(deps.releases),
  ...jobRoutes(deps.jobs),
  ...budgetRoutes(deps.budgets),
  ...tourRoutes(deps.tours),
];

export const liveDeps = (): ManagementDeps => ({
  apiKey,
  budgets: liveBudgetRoutesDeps(),
  labels: liveLabelRoutesDeps(),
  jobs: liveJobRoutesDeps(),
  outlets: liveOutletRoutesDeps(),
  releases: liveReleaseRoutesDeps(),
  tours: liveTourRoutesDeps(),
});

export const handler = makeHandler(liveDeps());
