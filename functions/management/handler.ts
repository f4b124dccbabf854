import { managementApi } from '#shared/http/manager-api.ts';
import { apiKey } from '#shared/secrets.ts';
import {
  liveJobRoutesDeps,
  liveLabelRoutesDeps,
  liveOutletRoutesDeps,
  liveReleaseRoutesDeps,
} from './adapters.ts';
import { type JobRoutesDeps, jobRoutes } from './jobs.ts';
import { type LabelRoutesDeps, labelRoutes } from './labels.ts';
import { type OutletRoutesDeps, outletRoutes } from './outlets.ts';
import { type ReleaseRoutesDeps, releaseRoutes } from './releases.ts';

export interface ManagementDeps {
  apiKey: () => Promise<string>;
  labels: LabelRoutesDeps;
  jobs: JobRoutesDeps;
  outlets: OutletRoutesDeps;
  releases: ReleaseRoutesDeps;
}

/** The manager's API for labels, the media directory, releases and jobs (tours and budgets: functions/office). */
export const makeHandler = (deps: ManagementDeps) =>
  managementApi('management', deps.apiKey, managementRoutes(deps));

/** Every management route; a test holds them against the topology's routes. */
export const managementRoutes = (deps: ManagementDeps) => [
  ...labelRoutes(deps.labels),
  ...outletRoutes(deps.outlets),
  ...releaseRoutes(deps.releases),
  ...jobRoutes(deps.jobs),
];

export const liveDeps = (): ManagementDeps => ({
  apiKey,
  labels: liveLabelRoutesDeps(),
  jobs: liveJobRoutesDeps(),
  outlets: liveOutletRoutesDeps(),
  releases: liveReleaseRoutesDeps(),
});

export const handler = makeHandler(liveDeps());
