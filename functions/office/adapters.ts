import { timeoutSeconds } from '#infra/function-settings.ts';
import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoBudgetReads } from '#shared/db/budget-reads.ts';
import { deliveriesById } from '#shared/db/deliveries-by-id.ts';
import { dynamoFxRates } from '#shared/db/fx-rates.ts';
import { dynamoLabelExistence } from '#shared/db/labels.ts';
import { mailsReached } from '#shared/db/subject-deliveries.ts';
import { dynamoTours } from '#shared/db/tours.ts';
import { staleClaimMsFor } from '#shared/mail/ports.ts';
import { tokenSigningKey } from '#shared/secrets.ts';
import { signTourManagerToken, tourManagerUrl } from '#shared/tokens.ts';
import { tourManagerLinkExpiry, tourManagerLinkWithoutShows } from '#shared/tours.ts';
import type { BudgetRoutesDeps } from './budgets.ts';
import type { TourRoutesDeps } from './tours.ts';

/** The office API's ports wired to DynamoDB (handler.ts composes them). */

export const liveBudgetRoutesDeps = (): BudgetRoutesDeps => ({
  // The budgets store's reads and exchange rates only: office writes no ledger (see shared/db/budget-reads.ts).
  budgets: {
    ...dynamoBudgetReads(dynamo(), config().TABLE_NAME),
    ...dynamoFxRates(dynamo(), config().TABLE_NAME),
  },
  // Whether a label exists, from its key alone: the office reads no secret and may not use KMS.
  labels: dynamoLabelExistence(dynamo(), config().TABLE_NAME),
  now: () => new Date(),
  get timeZone() {
    return config().MANAGER_TIME_ZONE;
  },
});

export const liveTourRoutesDeps = (): TourRoutesDeps => ({
  tours: dynamoTours(dynamo(), config().TABLE_NAME),
  labels: dynamoLabelExistence(dynamo(), config().TABLE_NAME),
  // The tours function's press mail, stale after its window (shared/mail/ports.ts, staleClaimMsFor).
  reached: (mails) =>
    mailsReached(
      { getMany: (ids, options) => deliveriesById(dynamo(), config().TABLE_NAME, ids, options) },
      new Date(Date.now() - staleClaimMsFor(timeoutSeconds.tours)).toISOString(),
      mails,
    ),
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
