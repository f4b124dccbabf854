import * as z from 'zod';
import { defineEvent } from './envelope.ts';

export const ReconciliationDue = defineEvent({
  detailType: 'Reconciliation Due',
  source: 'backline.scheduler',
  schemaVersion: 1,
  description: "Daily, in the manager's time zone: reconcile budgets against the ledger.",
  data: z.object({}),
  sample: {},
});
