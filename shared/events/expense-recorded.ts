import * as z from 'zod';
import { defineEvent } from './envelope.ts';
import { IsoDate, Money } from './fields.ts';

export const ExpenseRecorded = defineEvent({
  detailType: 'Expense Recorded',
  source: 'backline.intake',
  schemaVersion: 1,
  description: 'An expense was booked against a budget.',
  data: z.object({
    expenseId: z.string().min(1).max(128),
    budgetId: z.string().min(1).max(128),
    amount: Money,
    category: z.enum(['promotion', 'distribution', 'tour', 'production', 'other']),
    incurredOn: IsoDate,
    description: z.string().trim().min(1).max(1000),
    vendor: z.string().trim().min(1).max(200).optional(),
  }),
  sample: {
    expenseId: 'exp-0001',
    budgetId: 'bud-nightdrive-promo',
    amount: { minor: 120_000, currency: 'EUR' },
    category: 'promotion',
    incurredOn: '2027-02-10',
    description: 'Radio plugging, two weeks',
    vendor: 'Airplay Partners',
  },
});
