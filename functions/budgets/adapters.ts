import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoBudgets } from '#shared/db/budgets.ts';
import { liveMailDeps } from '#shared/mail/ses.ts';
import { type BudgetsDeps, budgetsTimeoutSeconds } from './ports.ts';

export const liveDeps = (): BudgetsDeps => ({
  store: dynamoBudgets(dynamo(), config().TABLE_NAME),
  mail: liveMailDeps('budgets', budgetsTimeoutSeconds),
  now: () => new Date(),
  get timeZone() {
    return config().MANAGER_TIME_ZONE;
  },
});
