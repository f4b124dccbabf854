import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { Currency, Email, Id, IsoDate, Money, Name } from './fields.ts';
import { olderVersion } from './older-version.ts';

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

const BudgetSetV2 = z.lazy(() =>
  z
    .object({
      budgetId: Id,
      scope: z.object({ kind: z.enum(['release', 'tour', 'campaign']), id: Id }),
      currency: Currency,
      period: z.object({ start: IsoDate, end: IsoDate }),
      owner: z.object({ name: Name, email: Email }),
      thresholds: z._default(
        z.array(z.int().check(z.gte(1), z.lte(1000))).check(z.minLength(1), z.maxLength(10)),
        [80, 100],
      ),
      lines: z
        .array(
          z.object({
            lineId: Id,
            category: BudgetCategory,
            planned: Money.check(
              z.refine((money) => money.minor >= 0, {
                message: 'must not be negative',
                path: ['minor'],
              }),
            ),
          }),
        )
        .check(z.minLength(1), z.maxLength(100)),
    })
    .check(
      z.superRefine((budget, context) => {
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
      }),
    ),
);

export const BudgetSet = defineEvent({
  detailType: 'Budget Set',
  source: 'backline.intake',
  schemaVersion: 2,
  data: () => BudgetSetV2,
});
DOCS: describeEvent(BudgetSet, {
  description:
    'A budget was set (or its plan replaced) for a release, tour or campaign: lines, currency, period, owner, thresholds.',
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

/** Version 1 of `budget.set`: one `limit` where version 2 has `lines`, upgraded into one line of category `other`. */
export const BudgetSetV1 = olderVersion({
  recognise: (data) => 'limit' in data && !('lines' in data),
  schema: z.lazy(() =>
    z
      .object({
        budgetId: Id,
        scope: z.object({ kind: z.enum(['release', 'tour', 'campaign']), id: Id }),
        limit: Money.check(
          z.refine((money) => money.minor > 0, { message: 'must be positive', path: ['minor'] }),
        ),
        startsOn: IsoDate,
        endsOn: IsoDate,
        thresholds: z._default(z.array(z.int().check(z.gte(1), z.lte(100))).check(z.minLength(1)), [80, 100]),
        ownerEmail: Email,
      })
      .check(
        z.refine((budget) => budget.endsOn >= budget.startsOn, {
          message: 'must not be before startsOn',
          path: ['endsOn'],
        }),
      ),
  ),
  upgrade: (v1): z.input<typeof BudgetSetV2> => ({
    budgetId: v1.budgetId,
    scope: v1.scope,
    currency: v1.limit.currency,
    period: { start: v1.startsOn, end: v1.endsOn },
    owner: { name: v1.ownerEmail, email: v1.ownerEmail },
    thresholds: v1.thresholds,
    lines: [{ lineId: 'budget', category: 'other', planned: v1.limit }],
  }),
});
