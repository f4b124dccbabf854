import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { Currency, Id, IsoDate, Line, Name, NonNegativeMoney, Text } from './fields.ts';
import { Rate } from './rate.ts';

/** A show's settlement is a line of its tour's budgets under an id with this prefix, so no expense id may have it. */
export const settlementIdPrefix = 'show-settlement#';
const ExpenseId = Id.check(
  z.refine(
    (id) => !id.startsWith(settlementIdPrefix),
    `must not start with ${settlementIdPrefix} (kept for show settlements)`,
  ),
);

/** An amount or its VAT: never negative. */
const Amount = NonNegativeMoney;

/**
 * The rate the label converted with: units of `to` (the budget's currency when the label sent it)
 * per unit of `from` (the amount's). It counts only while `to` is the budget's currency (see
 * docs/design.md#money); the budgets function names `to` when the label leaves it out.
 */
const RateUsed = z.optional(
  z.object({
    value: Rate,
    date: IsoDate,
    source: Line(100),
    from: z.optional(Currency),
    to: z.optional(Currency),
  }),
);
// Its description is for the documents only: dropped from the bundles (docs/design.md#bundles).
DOCS: z.globalRegistry.add(RateUsed, {
  description:
    "units of `to` (the budget's currency when the label sent it; left out, the budget's currency under the terms in force then) per unit of `from` (the amount's currency); used only while `to` is the budget's currency, else the expense is converted at the manager's rate table; the converted amount is rounded half-even on the budget currency's minor unit",
});

/** One expense as the label states it; an amendment restates it whole. */
export const Expense = z.lazy(() =>
  z
    .object({
      expenseId: ExpenseId,
      budgetId: Id,
      lineId: Id,
      vendor: Name,
      invoiceNumber: z.optional(Line(100)),
      date: IsoDate,
      /** Net of VAT, in the currency of the invoice or order. */
      amount: Amount,
      /** VAT, kept apart from the net amount, in the same currency. */
      vat: z.optional(Amount),
      kind: z.enum(['commitment', 'actual']),
      /** For an actual: the expense id of the commitment (purchase order) it settles. */
      settles: z.optional(ExpenseId),
      recoupable: z.optional(
        z.object({
          artist: z.object({
            artistId: Id,
            name: Name,
          }),
          sharePercent: z.number().check(z.gte(0), z.lte(100), z.multipleOf(0.01)),
        }),
      ),
      /** The rate the label converted with (see RateUsed). */
      rate: RateUsed,
      description: z.optional(Text(1000)),
    })
    .check(
      z.superRefine((expense, context) => {
        if (expense.vat && expense.vat.currency !== expense.amount.currency)
          context.addIssue({
            code: 'custom',
            path: ['vat', 'currency'],
            message: `must be the amount's currency ${expense.amount.currency}`,
          });
        if (expense.rate?.from && expense.rate.from !== expense.amount.currency)
          context.addIssue({
            code: 'custom',
            path: ['rate', 'from'],
            message: `must be the amount's currency ${expense.amount.currency}`,
          });
        if (expense.rate?.to && expense.rate.to === expense.amount.currency)
          context.addIssue({
            code: 'custom',
            path: ['rate', 'to'],
            message: `must be another currency than the amount's ${expense.amount.currency}`,
          });
        if (expense.settles && expense.kind !== 'actual')
          context.addIssue({
            code: 'custom',
            path: ['settles'],
            message: 'only an actual settles a commitment',
          });
        if (expense.settles === expense.expenseId)
          context.addIssue({ code: 'custom', path: ['settles'], message: 'an expense cannot settle itself' });
      }),
    ),
);
export type Expense = z.infer<typeof Expense>;

const sample: z.input<typeof Expense> = {
  expenseId: 'exp-0001',
  budgetId: 'bud-nightdrive-promo',
  lineId: 'radio',
  vendor: 'Airplay Partners',
  invoiceNumber: 'AP-2027-114',
  date: '2027-02-10',
  amount: { minor: 120_000, currency: 'EUR' },
  vat: { minor: 24_000, currency: 'EUR' },
  kind: 'actual',
  recoupable: { artist: { artistId: 'art-nightdrive', name: 'Night Drive' }, sharePercent: 50 },
  description: 'Radio plugging, two weeks',
};

export const ExpenseRecorded = defineEvent({
  detailType: 'Expense Recorded',
  source: 'backline.intake',
  schemaVersion: 2,
  data: () => Expense,
});
DOCS: describeEvent(ExpenseRecorded, {
  description: 'An expense (a commitment or an actual) was booked against a budget line.',
  sample,
});

export const ExpenseAmended = defineEvent({
  detailType: 'Expense Amended',
  source: 'backline.intake',
  schemaVersion: 1,
  data: () => Expense,
});
DOCS: describeEvent(ExpenseAmended, {
  description:
    'An expense was corrected: the body restates it whole; the latest by the label’s timestamp counts.',
  sample: { ...sample, amount: { minor: 110_000, currency: 'EUR' }, vat: { minor: 22_000, currency: 'EUR' } },
});

export const ExpenseVoided = defineEvent({
  detailType: 'Expense Voided',
  source: 'backline.intake',
  schemaVersion: 1,
  data: () =>
    z.object({
      expenseId: ExpenseId,
      budgetId: Id,
      // Why, of a line or several: it stands in the ledger where an expense's description does.
      reason: z.optional(Text(500)),
    }),
});
DOCS: describeEvent(ExpenseVoided, {
  description: 'An expense was cancelled; kept in the ledger, no longer counted.',
  sample: { expenseId: 'exp-0001', budgetId: 'bud-nightdrive-promo', reason: 'Booked twice' },
});
