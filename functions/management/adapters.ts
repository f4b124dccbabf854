import { randomUUID } from 'node:crypto';
import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { deliveriesPage } from '#shared/db/delivery-pages.ts';
import { deliveriesOfSubject } from '#shared/db/delivery-reads.ts';
import { dynamoJobStore } from '#shared/db/jobs.ts';
import { dynamoLabelExistence, dynamoLabels } from '#shared/db/labels.ts';
import { dynamoOutletManagement } from '#shared/db/outlet-changes.ts';
import { promoAccessesForRelease } from '#shared/db/promo.ts';
import { dynamoReleaseReads } from '#shared/db/release-reads.ts';
import { mailSubjects } from '#shared/db/subject-deliveries.ts';
import { webhookSecretSealer } from '#shared/kms.ts';
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
  getRelease: dynamoReleaseReads(dynamo(), config().TABLE_NAME).get,
  deliveries: (labelId, releaseId) =>
    deliveriesOfSubject(dynamo(), config().TABLE_NAME, labelId, mailSubjects.release(releaseId)),
  deliveriesPage: (labelId, releaseId, page) =>
    deliveriesPage(dynamo(), config().TABLE_NAME, labelId, mailSubjects.release(releaseId), page),
  promoAccesses: promoAccessesForRelease,
  labels: dynamoLabelExistence(dynamo(), config().TABLE_NAME),
});
