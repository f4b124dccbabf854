import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoBudgets } from '#shared/db/budgets.ts';
import type { BudgetMailer, BudgetsDeps } from './ports.ts';

/** Budget mail goes through the one mail module (wired when it lands; see the report of this branch). */
const mailer: BudgetMailer = {
  send: async () => {
    throw new Error('budget mail is not wired to the mail module yet');
  },
};

export const liveDeps = (): BudgetsDeps => ({
  store: dynamoBudgets(dynamo(), config().TABLE_NAME),
  mailer,
  now: () => new Date(),
  get timeZone() {
    return config().MANAGER_TIME_ZONE;
  },
});
