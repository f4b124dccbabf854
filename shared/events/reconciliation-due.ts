import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { IsoDate, NonEmpty } from './fields.ts';

export const ReconciliationDue = defineEvent({
  detailType: 'Reconciliation Due',
  source: 'backline.scheduler',
  alsoFrom: ['backline.budgets'],
  schemaVersion: 1,
  data: () =>
    z.object({
      /** The manager's calendar day being reconciled (set on continuation pages). */
      date: z.optional(IsoDate),
      cursor: z.optional(NonEmpty),
    }),
});
DOCS: describeEvent(ReconciliationDue, {
  description:
    "Daily at 07:00 in the manager's time zone: fan out one Budget Reconciliation Due per budget. Budgets re-emits it with a cursor for the next page.",
  sample: {},
});

export const BudgetReportDue = defineEvent({
  detailType: 'Budget Report Due',
  source: 'backline.scheduler',
  alsoFrom: ['backline.budgets'],
  schemaVersion: 1,
  data: () => z.object({ date: z.optional(IsoDate), cursor: z.optional(NonEmpty) }),
});
DOCS: describeEvent(BudgetReportDue, {
  description:
    "Daily at 07:30 in the manager's time zone: mail each budget owner the day's report. Budgets re-emits it with a cursor for the next page of owners.",
  sample: {},
});
