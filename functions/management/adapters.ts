import { randomUUID } from 'node:crypto';
import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoBudgets } from '#shared/db/budgets.ts';
import { dynamoDeliveries, mailSubjects } from '#shared/db/deliveries.ts';
import { dynamoJobStore } from '#shared/db/jobs.ts';
import { dynamoLabels } from '#shared/db/labels.ts';
import { dynamoOutletManagement } from '#shared/db/outlet-changes.ts';
import { promoAccessesForRelease } from '#shared/db/promo.ts';
import { dynamoReleases } from '#shared/db/releases.ts';
import { dynamoTours } from '#shared/db/tours.ts';
import { webhookSecretSealer } from '#shared/kms.ts';
import { tokenSigningKey } from '#shared/secrets.ts';
import { signTourManagerToken, tourManagerUrl } from '#shared/tokens.ts';
import { tourManagerLinkExpiry, tourManagerLinkWithoutShows } from '#shared/tours.ts';
import type { BudgetRoutesDeps } from './budgets.ts';
import type { JobRoutesDeps } from './jobs.ts';
import type { LabelRoutesDeps } from './labels.ts';
import type { OutletRoutesDeps } from './outlets.ts';
import type { ReleaseRoutesDeps } from './releases.ts';
import type { TourRoutesDeps } from './tours.ts';

/** The management API's ports wired to DynamoDB (handler.ts composes them). */

export const liveJobRoutesDeps = (): JobRoutesDeps => ({
  jobs: dynamoJobStore(),
  now: () => new Date(),
});

export const liveLabelRoutesDeps = (): LabelRoutesDeps => ({
  labels: dynamoLabels(dynamo(), config().TABLE_NAME, webhookSecretSealer()),
  jobs: liveJobRoutesDeps(),
  now: () => new Date(),
});

export const liveOutletRoutesDeps = (): OutletRoutesDeps => ({
  outlets: dynamoOutletManagement(),
  jobs: liveJobRoutesDeps(),
  now: () => new Date(),
  newOutletId: () => `out-${randomUUID()}`,
});

export const liveReleaseRoutesDeps = (): ReleaseRoutesDeps => ({
  getRelease: dynamoReleases(dynamo(), config().TABLE_NAME).get,
  deliveries: (labelId, releaseId) =>
    dynamoDeliveries(dynamo(), config().TABLE_NAME).ofSubject(labelId, mailSubjects.release(releaseId)),
  promoAccesses: promoAccessesForRelease,
});

export const liveBudgetRoutesDeps = (): BudgetRoutesDeps => ({
  budgets: dynamoBudgets(dynamo(), config().TABLE_NAME),
  now: () => new Date(),
});

export const liveTourRoutesDeps = (): TourRoutesDeps => ({
  tours: dynamoTours(dynamo(), config().TABLE_NAME),
  tourManagerLink: async (labelId, tourId, shows) =>
    tourManagerUrl(
      config().PUBLIC_BASE_URL,
      signTourManagerToken(await tokenSigningKey(), {
        labelId,
        tourId,
        expiresAt: tourManagerLinkExpiry(shows, tourManagerLinkWithoutShows(new Date())),
      }),
    ),
  now: () => new Date(),
});
