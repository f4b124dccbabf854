import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { IsoDate, Money, NonEmpty } from './fields.ts';

/** What the daily reconciliation of budgets produces (source `backline.budgets`). */

const budgetRef = {
  labelId: NonEmpty,
  budgetId: NonEmpty,
  date: IsoDate,
};
const Period = z.object({ start: IsoDate, end: IsoDate });

export const BudgetReconciliationDue = defineEvent({
  detailType: 'Budget Reconciliation Due',
  source: 'backline.budgets',
  schemaVersion: 1,
  data: () => z.object(budgetRef),
});
DOCS: describeEvent(BudgetReconciliationDue, {
  description: 'One budget is due its daily reconciliation (the fan-out of Reconciliation Due).',
  sample: { labelId: 'lbl-nightshift', budgetId: 'bud-nightdrive-promo', date: '2027-02-11' },
});

export const BudgetStatus = z.enum(['on-track', 'at-risk', 'over']);

export const BudgetReconciled = defineEvent({
  detailType: 'Budget Reconciled',
  source: 'backline.budgets',
  schemaVersion: 1,
  data: () =>
    z.object({
      ...budgetRef,
      planned: Money,
      committed: Money,
      actual: Money,
      income: Money,
      remaining: Money,
      usedPercent: z.number(),
      forecastAtEnd: Money,
      runsOutOn: z.nullable(IsoDate),
      status: BudgetStatus,
    }),
});
DOCS: describeEvent(BudgetReconciled, {
  description:
    "A budget's day: totals from the ledger, burn rate, forecast at the end, the day the money runs out within the period (null when it lasts the period).",
  sample: {
    labelId: 'lbl-nightshift',
    budgetId: 'bud-nightdrive-promo',
    date: '2027-02-11',
    planned: { minor: 500_000, currency: 'EUR' },
    committed: { minor: 50_000, currency: 'EUR' },
    actual: { minor: 120_000, currency: 'EUR' },
    income: { minor: 0, currency: 'EUR' },
    remaining: { minor: 330_000, currency: 'EUR' },
    usedPercent: 34,
    forecastAtEnd: { minor: 460_000, currency: 'EUR' },
    runsOutOn: null,
    status: 'on-track',
  },
});

export const BudgetThresholdCrossed = defineEvent({
  detailType: 'Budget Threshold Crossed',
  source: 'backline.budgets',
  schemaVersion: 1,
  data: () =>
    z.object({
      ...budgetRef,
      period: Period,
      threshold: z.number(),
      usedPercent: z.number(),
      used: Money,
      planned: Money,
    }),
});
DOCS: describeEvent(BudgetThresholdCrossed, {
  description:
    'Spend (committed and actual) reached a threshold of the plan; once per budget, threshold, period and plan (a plan raised in the period is warned of again).',
  sample: {
    labelId: 'lbl-nightshift',
    budgetId: 'bud-nightdrive-promo',
    date: '2027-04-02',
    period: { start: '2027-01-01', end: '2027-06-30' },
    threshold: 80,
    usedPercent: 81.2,
    used: { minor: 406_000, currency: 'EUR' },
    planned: { minor: 500_000, currency: 'EUR' },
  },
});

export const BudgetForecastOver = defineEvent({
  detailType: 'Budget Forecast Over',
  source: 'backline.budgets',
  schemaVersion: 1,
  data: () =>
    z.object({ ...budgetRef, period: Period, forecastAtEnd: Money, planned: Money, runsOutOn: IsoDate }),
});
DOCS: describeEvent(BudgetForecastOver, {
  description:
    'At the recent burn rate the plan runs out before the end of the period; once per budget and period.',
  sample: {
    labelId: 'lbl-nightshift',
    budgetId: 'bud-nightdrive-promo',
    date: '2027-03-01',
    period: { start: '2027-01-01', end: '2027-06-30' },
    forecastAtEnd: { minor: 640_000, currency: 'EUR' },
    planned: { minor: 500_000, currency: 'EUR' },
    runsOutOn: '2027-05-20',
  },
});

export const BudgetLineOverPlan = defineEvent({
  detailType: 'Budget Line Over Plan',
  source: 'backline.budgets',
  schemaVersion: 1,
  data: () =>
    z.object({
      ...budgetRef,
      period: Period,
      lineId: NonEmpty,
      planned: Money,
      spent: Money,
    }),
});
DOCS: describeEvent(BudgetLineOverPlan, {
  description: "A line's spend went over its plan; once per budget, line, period and the line's plan.",
  sample: {
    labelId: 'lbl-nightshift',
    budgetId: 'bud-nightdrive-promo',
    date: '2027-03-01',
    period: { start: '2027-01-01', end: '2027-06-30' },
    lineId: 'radio',
    planned: { minor: 300_000, currency: 'EUR' },
    spent: { minor: 310_000, currency: 'EUR' },
  },
});

export const BudgetDriftRepaired = defineEvent({
  detailType: 'Budget Drift Repaired',
  source: 'backline.budgets',
  schemaVersion: 1,
  data: () =>
    z.object({
      ...budgetRef,
      /** Per running total that was wrong: what it held and what the ledger says. */
      differences: z.array(z.object({ total: z.string(), was: z.int(), ledger: z.int() })),
    }),
});
DOCS: describeEvent(BudgetDriftRepaired, {
  description: "A budget's running totals differed from its ledger; they were set to the ledger's.",
  sample: {
    labelId: 'lbl-nightshift',
    budgetId: 'bud-nightdrive-promo',
    date: '2027-02-11',
    differences: [{ total: 'actual radio', was: 120_500, ledger: 120_000 }],
  },
});

const unreachedMail = {
  labelId: NonEmpty,
  address: z.string().check(z.minLength(3)),
  detail: z.optional(z.string()),
  /** The mail that did not arrive: its delivery id and kind (`threshold-crossed`, `budget-report`, ...). */
  deliveryId: NonEmpty,
  kind: NonEmpty,
  /** The label's budgets this address owns, now marked unreachable. */
  budgetIds: z.array(NonEmpty),
};

export const BudgetOwnerUnreachable = defineEvent({
  detailType: 'Budget Owner Unreachable',
  source: 'backline.budgets',
  schemaVersion: 1,
  data: () => z.object({ ...unreachedMail, reason: z.enum(['bounce', 'complaint']) }),
});
DOCS: describeEvent(BudgetOwnerUnreachable, {
  description:
    "A budget alert or report bounced permanently or drew a complaint: the owner's address gets no more mail, so the budgets it holds are marked and whoever watches them must reach the owner another way. Once per mail.",
  sample: {
    labelId: 'lbl-nightshift',
    address: 'manager@backline.example',
    reason: 'bounce',
    detail: 'Permanent/General',
    deliveryId: '3f9c2a7be1d04c5a9e8f7a6b5c4d3e2f',
    kind: 'threshold-crossed',
    budgetIds: ['bud-nightdrive-promo'],
  },
});

/**
 * A budget mail not sent because its address is suppressed: a type of its own, not a new reason of
 * `Budget Owner Unreachable`, which consumers of its version 1 would refuse (docs/design.md#event-catalogue).
 */
export const BudgetOwnerSuppressed = defineEvent({
  detailType: 'Budget Owner Suppressed',
  source: 'backline.budgets',
  schemaVersion: 1,
  data: () => z.object(unreachedMail),
});
DOCS: describeEvent(BudgetOwnerSuppressed, {
  description:
    "A budget alert or report was not sent because its owner's address is suppressed (a bounce or complaint on other mail, press included): the budgets it holds are marked unreachable and whoever watches them must reach the owner another way. `deliveryId` is the id the mail would have had. Once per owner while the mark stands: not when another mail has marked the owner's budgets already.",
  sample: {
    labelId: 'lbl-nightshift',
    address: 'manager@backline.example',
    detail: 'the address is suppressed after a bounce or a complaint',
    deliveryId: '3f9c2a7be1d04c5a9e8f7a6b5c4d3e2f',
    kind: 'threshold-crossed',
    budgetIds: ['bud-nightdrive-promo'],
  },
});

/**
 * A budget mail SES refused for good, when it was sent (`detail`: its status and message) or after taking
 * it (`Email Rejected: <reason>`): a type of its own, not a new reason of `Budget Owner Unreachable`,
 * which consumers of its version 1 would refuse (docs/design.md#event-catalogue).
 */
export const BudgetOwnerMailRefused = defineEvent({
  detailType: 'Budget Owner Mail Refused',
  source: 'backline.budgets',
  schemaVersion: 1,
  data: () => z.object(unreachedMail),
});
DOCS: describeEvent(BudgetOwnerMailRefused, {
  description:
    'SES refused a budget alert or report for good when it was sent (`detail`: its status and message, such as MESSAGE_REJECTED), or took it and then rejected it (`Email Rejected: Bad content`): the owner was not warned, so the budgets they hold are marked unreachable and whoever watches them must reach the owner another way. Once per mail.',
  sample: {
    labelId: 'lbl-nightshift',
    address: 'manager@backline.example',
    detail: 'MESSAGE_REJECTED: Email address is on a blocklist',
    deliveryId: '3f9c2a7be1d04c5a9e8f7a6b5c4d3e2f',
    kind: 'threshold-crossed',
    budgetIds: ['bud-nightdrive-promo'],
  },
});

export const ExpenseHeldTooLong = defineEvent({
  detailType: 'Expense Held Too Long',
  source: 'backline.budgets',
  schemaVersion: 1,
  data: () =>
    z.object({
      labelId: NonEmpty,
      /** The budget id the expense named, which no budget of the label has. */
      budgetId: NonEmpty,
      expenseId: NonEmpty,
      /** The report's day (the manager's calendar). */
      date: IsoDate,
      firstSeenAt: z.isoDateTime({ offset: true }),
      expense: z.optional(z.object({ vendor: z.string(), date: IsoDate, amount: Money })),
      /** The owners whose report of `date` lists it. */
      owners: z.array(NonEmpty),
    }),
});
DOCS: describeEvent(ExpenseHeldTooLong, {
  description:
    "An expense has waited 7 days for a budget that never arrived (held, counted nowhere). Stated once per expense, on the day of the report that lists it to the owners of the label's active budgets; `owners` is empty when the label has none, so only the bus tells.",
  sample: {
    labelId: 'lbl-nightshift',
    budgetId: 'bud-nightdrive-promo-typo',
    expenseId: 'exp-4471',
    date: '2027-02-11',
    firstSeenAt: '2027-02-03T14:22:05.000Z',
    expense: { vendor: 'Airplay Partners', date: '2027-02-02', amount: { minor: 45_000, currency: 'EUR' } },
    owners: ['manager@backline.example'],
  },
});
