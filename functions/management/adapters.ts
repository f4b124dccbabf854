import { randomUUID } from 'node:crypto';
import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { releaseDeliveries } from '#shared/db/deliveries.ts';
import { dynamoJobStore } from '#shared/db/jobs.ts';
import { dynamoLabels } from '#shared/db/labels.ts';
import { dynamoOutletDirectory } from '#shared/db/outlets.ts';
import { promoAccessesForRelease } from '#shared/db/promo.ts';
import { getRelease } from '#shared/db/releases.ts';
import type { JobRoutesDeps } from './jobs.ts';
import type { LabelRoutesDeps } from './labels.ts';
import type { OutletRoutesDeps } from './outlets.ts';
import type { ReleaseRoutesDeps } from './releases.ts';

/** The management API's ports wired to DynamoDB (handler.ts composes them). */

export const liveJobRoutesDeps = (): JobRoutesDeps => ({
  jobs: dynamoJobStore(),
  now: () => new Date(),
});

export const liveLabelRoutesDeps = (): LabelRoutesDeps => ({
  labels: dynamoLabels(dynamo(), config().TABLE_NAME),
  jobs: liveJobRoutesDeps(),
  now: () => new Date(),
});

export const liveOutletRoutesDeps = (): OutletRoutesDeps => ({
  outlets: dynamoOutletDirectory(),
  jobs: liveJobRoutesDeps(),
  now: () => new Date(),
  newOutletId: () => `out-${randomUUID()}`,
});

export const liveReleaseRoutesDeps = (): ReleaseRoutesDeps => ({
  getRelease,
  deliveries: releaseDeliveries,
  promoAccesses: promoAccessesForRelease,
});
