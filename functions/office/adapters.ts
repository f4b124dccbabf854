import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoBudgets } from '#shared/db/budgets.ts';
import { dynamoTours } from '#shared/db/tours.ts';
import { tokenSigningKey } from '#shared/secrets.ts';
import { signTourManagerToken, tourManagerUrl } from '#shared/tokens.ts';
import { tourManagerLinkExpiry, tourManagerLinkWithoutShows } from '#shared/tours.ts';
import type { BudgetRoutesDeps } from './budgets.ts';
import type { TourRoutesDeps } from './tours.ts';

/** The office API's ports wired to DynamoDB (handler.ts composes them). */

export const liveBudgetRoutesDeps = (): BudgetRoutesDeps => ({
  budgets: dynamoBudgets(dynamo(), config().TABLE_NAME),
  now: () => new Date(),
  get timeZone() {
    return config().MANAGER_TIME_ZONE;
  },
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
