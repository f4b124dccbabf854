import { managementApi } from '#shared/http/manager-api.ts';
import { apiKey } from '#shared/secrets.ts';
import { liveBudgetRoutesDeps, liveTourRoutesDeps } from './adapters.ts';
import { type BudgetRoutesDeps, budgetRoutes } from './budgets.ts';
import { type TourRoutesDeps, tourRoutes } from './tours.ts';

export interface OfficeDeps {
  apiKey: () => Promise<string>;
  budgets: BudgetRoutesDeps;
  tours: TourRoutesDeps;
}

/** The manager's API for tours and money: budgets, FX rates, tours, shows, guest lists and promoters. */
export const makeHandler = (deps: OfficeDeps) => managementApi('office', deps.apiKey, officeRoutes(deps));

/** Every office route; a test holds them against the topology's routes. */
export const officeRoutes = (deps: OfficeDeps) => [...budgetRoutes(deps.budgets), ...tourRoutes(deps.tours)];

export const liveDeps = (): OfficeDeps => ({
  apiKey,
  budgets: liveBudgetRoutesDeps(),
  tours: liveTourRoutesDeps(),
});

export const handler = makeHandler(liveDeps());
