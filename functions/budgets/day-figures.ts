import {
  type Budget,
  type Counters,
  counterParts,
  type ExpenseState,
  type Figures,
  inBudgetCurrency,
  isCounted,
  settlesOf,
  statedTotal,
} from '#shared/budgets/ledger.ts';
import { addDays, daysBetween } from '#shared/days.ts';
import type { DayResult } from '#shared/db/budgets.ts';
import { byParts } from '#shared/http/cursor.ts';
import { divideHalfEven } from '#shared/money/money.ts';

/**
 * A budget's figures of a day beyond its totals (burn rates, forecast, the day the money runs out),
 * for its reconciliation and for an alert mail sent again (see docs/design.md#budgets).
 */

const spendOf = (contribution: Counters) =>
  Object.entries(contribution)
    .filter(([name]) => ['committed', 'actual'].includes(counterParts(name)[0]))
    .reduce((total, [, value]) => total + value, 0);

/** What a commitment committed, in the budget's currency (0 when no rate says). */
const committedOf = (commitment: ExpenseState, budget: Budget): number =>
  inBudgetCurrency(commitment.data!.amount, budget.currency, commitment.conversion) ?? 0;

/** The last day an event's date states (`IsoDate`: 1970 to 9998, docs/design.md#money). */
const lastDay = '9998-12-31';

/** Burn rate, forecast, the day the money runs out and the straight line, from the day's states. */
export function dayFigures(budget: Budget, figures: Figures, states: ExpenseState[], date: string) {
  const byId = new Map(states.map((state) => [state.expenseId, state]));
  // What each actual settling a commitment finds left of it: the commitment less what the actuals settling
  // it before (by date, then id) paid, so an order invoiced in parts is paid once (see docs/design.md#money).
  const leftOf = new Map<string, number>();
  for (const [orderId, actuals] of Map.groupBy(
    states.filter((state) => settlesOf(state) !== undefined),
    (state) => settlesOf(state) as string,
  )) {
    const order = byId.get(orderId);
    // Only a commitment holds money an actual pays: an actual named as one (a balance naming its deposit) committed nothing.
    if (!order || !isCounted(order) || order.data.kind !== 'commitment') continue;
    let left = committedOf(order, budget);
    for (const actual of actuals.sort((a, b) =>
      byParts([a.data!.date, a.expenseId], [b.data!.date, b.expenseId]),
    )) {
      leftOf.set(actual.expenseId, left);
      left = Math.max(0, left - spendOf(actual.contribution));
    }
  }
  let spent7 = 0;
  let spent30 = 0;
  for (const state of states) {
    if (!isCounted(state)) continue;
    const age = daysBetween(state.data.date, date);
    if (age < 0) continue;
    const spent = spendOf(state.contribution);
    // An actual that settles a commitment booked before the window pays money counted as spent
    // then: only what it pays beyond what is left of the commitment is new spend in the window. A
    // commitment voided (or moved away) never counted here: all the actual pays is new.
    const settled = byId.get(settlesOf(state) ?? '');
    const settledAge = settled && isCounted(settled) ? daysBetween(settled.data.date, date) : -1;
    const newIn = (days: number) =>
      settled && settledAge >= days ? Math.max(0, spent - (leftOf.get(state.expenseId) ?? 0)) : spent;
    if (age < 7) spent7 += newIn(7);
    if (age < 30) spent30 += newIn(30);
  }
  const daysLeft = Math.max(0, daysBetween(date, budget.period.end));
  // What the last 7 days' rate spends by the period's end.
  const toSpend = divideHalfEven(BigInt(spent7) * BigInt(daysLeft), 7n);
  // Extrapolated, it may pass the largest total kept (`totalLimit`), which no amount may: stated as
  // that total, as the budget's sums are (`statedTotal`).
  const forecastAtEnd = statedTotal(BigInt(figures.used) + toSpend);
  // Of the exact sums: `used` stated as the largest total may be less than what is spent.
  const remaining = figures.remaining;
  const runsOutIn = spent7 > 0 ? (BigInt(remaining) * 7n + BigInt(spent7) - 1n) / BigInt(spent7) : undefined;
  // A day past the last a date states (a plan near the largest total, spent slowly) is not at this rate.
  const atThisRate =
    remaining <= 0
      ? date
      : runsOutIn !== undefined && runsOutIn <= BigInt(daysBetween(date, lastDay))
        ? addDays(date, Number(runsOutIn))
        : null;
  // Only a day within the period: one after its end (on track, or reconciled after the end) is no
  // run-out, the money lasts the period (or, spent, ran out already): see docs/design.md#budgets.
  const runsOutOn = atThisRate !== null && atThisRate <= budget.period.end ? atThisRate : null;
  const totalDays = daysBetween(budget.period.start, budget.period.end) + 1;
  const elapsed = Math.min(totalDays, Math.max(0, daysBetween(budget.period.start, date) + 1));
  const straightLine = Number(divideHalfEven(BigInt(figures.planned) * BigInt(elapsed), BigInt(totalDays)));
  // Over the plan (and income) when it spends more than is left, of the exact sums: the forecast stated
  // as the largest total is not over a plan of it, but what it spends may be. Only at a rate: with nothing
  // spent in the last 7 days (a late invoice dated weeks back took it over) no rate runs the money out.
  const forecastOver =
    spent7 > 0 && toSpend > BigInt(remaining) && date <= budget.period.end && runsOutOn !== null;
  const linesOver = figures.lines
    .filter((line) => line.over)
    .map(({ lineId, planned, spent }) => ({ lineId, planned, spent }));
  return {
    burnRate7: statedTotal(divideHalfEven(BigInt(spent7), 7n)),
    burnRate30: statedTotal(divideHalfEven(BigInt(spent30), 30n)),
    forecastAtEnd,
    runsOutOn,
    variance: figures.used - straightLine,
    forecastOver,
    linesOver,
    status: (remaining < 0
      ? 'over'
      : forecastOver || linesOver.length > 0
        ? 'at-risk'
        : 'on-track') as DayResult['status'],
  };
}
