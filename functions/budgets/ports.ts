import { timeoutSeconds } from '#infra/function-settings.ts';
import type { BudgetStore } from '#shared/db/budgets.ts';
import type { MailDeps } from '#shared/mail/ports.ts';

export interface BudgetsDeps {
  store: BudgetStore;
  /** The one mail module: alerts and reports are claimed, sent and settled like every mail. */
  mail: MailDeps;
  now: () => Date;
  /** The manager's time zone: the reconciliation's and the report's day is a day there. */
  timeZone: string;
}

/** The budgets function's timeout, as deployed: how long its mail claims may be held open. */
export const budgetsTimeoutSeconds = timeoutSeconds.budgets;
