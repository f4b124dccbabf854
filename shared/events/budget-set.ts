import * as z from 'zod';
import { isCurrency } from '../money/money.ts';
import { defineEvent } from './envelope.ts';
import { Email, IsoDate, Money } from './fields.ts';

/** ISO 4217, as ICU knows it. */
export const Currency = z
  .string()
  .refine(isCurrency, 'must be an ISO 4217 currency code such as EUR, JPY or BHD');

export const BudgetCategory = z.enum([
  'recording',
  'mixing-mastering',
  'artwork',
  'video',
  'pr',
  'radio-plugging',
  'advertising',
  'tour-support',
  'manufacturing',
  'travel',
  'other',
]);

const Id = z.string().min(1).max(128);

const BudgetSetV2 = z
  .object({
    budgetId: Id,
    scope: z.object({ kind: z.enum(['release', 'tour', 'campaign']), id: Id }),
    currency: Currency,
    period: z.object({ start: IsoDate, end: IsoDate }),
    owner: z.object({ name: z.string().trim().min(1).max(200), email: Email }),
    thresholds: z.array(z.number().int().min(1).max(1000)).min(1).max(10).default([80, 100]),
    lines: z
      .array(
        z.object({
          lineId: Id,
          category: BudgetCategory,
          planned: Money.refine((money) => money.minor >= 0, {
            message: 'must not be negative',
            path: ['minor'],
          }),
        }),
      )
      .min(1)
      .max(100),
  })
  .superRefine((budget, context) => {
    if (budget.period.end < budget.period.start)
      context.addIssue({ code: 'custom', path: ['period', 'end'], message: 'must not be before start' });
    const seen = new Set<string>();
    budget.lines.forEach((line, index) => {
      if (seen.has(line.lineId))
        context.addIssue({ code: 'custom', path: ['lines', index, 'lineId'], message: 'appears twice' });
      seen.add(line.lineId);
      if (line.planned.currency !== budget.currency)
        context.addIssue({
          code: 'custom',
          path: ['lines', index, 'planned', 'currency'],
          message: `must be the budget's currency ${budget.currency}`,
        });
    });
  });

export const BudgetSet = defineEvent({
  detailType: 'Budget Set',
  source: 'backline.intake',
  schemaVersion: 2,
  description:
    'A budget was set (or its plan replaced) for a release, tour or campaign: lines, currency, period, owner, thresholds.',
  data: BudgetSetV2,
  sample: {
    budgetId: 'bud-nightdrive-promo',
    scope: { kind: 'release', id: 'rel-2027-nightdrive' },
    currency: 'EUR',
    period: { start: '2027-01-01', end: '2027-06-30' },
    owner: { name: 'Mara Quinn', email: 'manager@backline.example' },
    thresholds: [80, 100],
    lines: [
      { lineId: 'radio', category: 'radio-plugging', planned: { minor: 300_000, currency: 'EUR' } },
      { lineId: 'ads', category: 'advertising', planned: { minor: 200_000, currency: 'EUR' } },
    ],
  },
});

/** Version 1 of `budget.set`: one `limit` where version 2 has `lines`. */
const BudgetSetV1 = z
  .object({
    budgetId: Id,
    scope: z.object({ kind: z.enum(['release', 'tour', 'campaign']), id: Id }),
    limit: Money.refine((money) => money.minor > 0, { message: 'must be positive', path: ['minor'] }),
    startsOn: IsoDate,
    endsOn: IsoDate,
    thresholds: z.array(z.number().int().min(1).max(100)).min(1).default([80, 100]),
    ownerEmail: Email,
  })
  .refine((budget) => budget.endsOn >= budget.startsOn, {
    message: 'must not be before startsOn',
    path: ['endsOn'],
  });

/** A version 1 budget as version 2: its limit becomes one line of category `other`. */
export const upgradeBudgetSetV1 = (v1: z.infer<typeof BudgetSetV1>): z.input<typeof BudgetSetV2> => ({
  budgetId: v1.budgetId,
  scope: v1.scope,
  currency: v1.limit.currency,
  period: { start: v1.startsOn, end: v1.endsOn },
  owner: { name: v1.ownerEmail, email: v1.ownerEmail },
  thresholds: v1.thresholds,
  lines: [{ lineId: 'budget', category: 'other', planned: v1.limit }],
});

/**
 * What a label may send as `budget.set`: version 2, or version 1, recognised by its `limit` where
 * version 2 has `lines`, upgraded here at intake so that replays upgrade too (docs/design.md#routes-and-auth).
 */
export const BudgetSetWebhookData = z.unknown().transform((body, context) => {
  const v1 = typeof body === 'object' && body !== null && 'limit' in body && !('lines' in body);
  const parsed = v1
    ? BudgetSetV1.transform(upgradeBudgetSetV1).pipe(BudgetSetV2).safeParse(body)
    : BudgetSetV2.safeParse(body);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  return z.NEVER;
});
