import * as z from 'zod';
import { defineEvent } from './envelope.ts';
import { Email, IsoDate, Money } from './fields.ts';

export const BudgetSet = defineEvent({
  detailType: 'Budget Set',
  source: 'backline.intake',
  schemaVersion: 1,
  description: 'A budget was set (or replaced) for a release, tour or campaign.',
  data: z
    .object({
      budgetId: z.string().min(1).max(128),
      scope: z.object({ kind: z.enum(['release', 'tour', 'campaign']), id: z.string().min(1).max(128) }),
      limit: Money.refine((money) => money.minor > 0, { message: 'must be positive', path: ['minor'] }),
      startsOn: IsoDate,
      endsOn: IsoDate,
      thresholds: z.array(z.number().int().min(1).max(100)).min(1).default([80, 100]),
      ownerEmail: Email,
    })
    .refine((budget) => budget.endsOn >= budget.startsOn, {
      message: 'must not be before startsOn',
      path: ['endsOn'],
    }),
  sample: {
    budgetId: 'bud-nightdrive-promo',
    scope: { kind: 'release', id: 'rel-2027-nightdrive' },
    limit: { minor: 500_000, currency: 'EUR' },
    startsOn: '2027-01-01',
    endsOn: '2027-06-30',
    thresholds: [80, 100],
    ownerEmail: 'manager@backline.example',
  },
});
