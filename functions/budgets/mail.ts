import type { Budget, Figures } from '#shared/budgets/ledger.ts';
import type { DayResult } from '#shared/db/budgets.ts';
import { keyParts } from '#shared/db/keys.ts';
import { budgetTemplateNames } from '#shared/mail/budget-templates.ts';
import { escapeHtml, singleLine } from '#shared/mail/data.ts';
import { formatMoney } from '#shared/money/money.ts';
import type { BudgetMail } from './ports.ts';

export type BudgetAlert =
  | { kind: 'threshold'; alertId: string; threshold: number }
  | { kind: 'forecast'; alertId: string; runsOutOn: string }
  | { kind: 'line'; alertId: string; line: { lineId: string; planned: number; spent: number } };

type View = string | number | boolean | null | undefined | View[] | { [key: string]: View };

/** Both views of the template data: `text` plain and single-line, `html` escaped (SES does not escape). */
function views(view: View): { text: View; html: View } {
  const map = (value: View, each: (s: string) => string): View => {
    if (typeof value === 'string') return each(value);
    if (Array.isArray(value)) return value.map((v) => map(v, each));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, map(v, each)]));
    return value;
  };
  return { text: map(view, singleLine), html: map(view, (s) => escapeHtml(singleLine(s))) };
}

const scopeText = (scope: { kind: string; id: string }) => `${scope.kind} ${scope.id}`;

/** One alert to the budget's owner; its identity is the budget and the alert (threshold or line, and period). */
export function alertMail(
  budget: Budget,
  figures: Figures,
  day: { forecastAtEnd: number; runsOutOn: string | null },
  alert: BudgetAlert,
  date: string,
): BudgetMail {
  const money = (minor: number) => formatMoney({ minor, currency: budget.currency });
  const { headline, detail } =
    alert.kind === 'threshold'
      ? {
          headline: `${alert.threshold} % of the plan is spent`,
          detail: `On ${date} committed and actual spend reached ${figures.usedPercent} % of the plan.`,
        }
      : alert.kind === 'forecast'
        ? {
            headline: `at this rate the money runs out on ${alert.runsOutOn}`,
            detail: `At the last 7 days' rate the budget is spent on ${alert.runsOutOn}, before its end on ${budget.period.end}; the forecast at the end is ${money(day.forecastAtEnd)} against ${money(figures.planned)} planned.`,
          }
        : {
            headline: `line ${alert.line.lineId} is over its plan`,
            detail: `Line ${alert.line.lineId} has ${money(alert.line.spent)} spent against ${money(alert.line.planned)} planned.`,
          };
  return {
    labelId: budget.labelId,
    to: budget.owner,
    subjectId: keyParts(budget.budgetId, alert.alertId),
    kind: 'budget-alert',
    template: budgetTemplateNames.alert,
    data: views({
      ownerName: budget.owner.name,
      budgetId: budget.budgetId,
      scope: scopeText(budget.scope),
      headline,
      detail,
      planned: money(figures.planned),
      used: money(figures.used),
      usedPercent: String(figures.usedPercent),
      forecastAtEnd: money(day.forecastAtEnd),
      runsOutOn: day.runsOutOn ?? 'not at the current rate',
    }),
  };
}

const barCells = 20;
const barColours = { 'on-track': '#2e7d32', 'at-risk': '#f9a825', over: '#c62828' } as const;

/** The report's bar: 20 cells, filled in proportion to the share used (capped at the whole bar). */
export function bar(usedPercent: number, status: DayResult['status']) {
  const filled = Math.max(0, Math.min(barCells, Math.round((usedPercent * barCells) / 100)));
  return {
    cells: Array.from({ length: barCells }, (_, i) => (i < filled ? barColours[status] : '#e0e0e0')),
    text: `${'#'.repeat(filled)}${'.'.repeat(barCells - filled)}`,
  };
}

/** Worth a report: something changed since yesterday, or something is at risk. */
export const worthReporting = (results: DayResult[], held: unknown[]) =>
  held.length > 0 ||
  results.some(
    (r) =>
      r.changed || r.status !== 'on-track' || r.unconverted.length > 0 || r.possibleDuplicates.length > 0,
  );

/** The owner's daily report: one row per budget they hold, then what needs their attention. */
export function reportMail(
  labelId: string,
  date: string,
  results: DayResult[],
  held: { budgetId: string; expenseId: string; firstSeenAt: string }[],
): BudgetMail {
  const sorted = [...results].sort((a, b) => a.budgetId.localeCompare(b.budgetId));
  const owner = sorted[0].owner;
  const money = (r: DayResult, minor: number) => formatMoney({ minor, currency: r.currency });
  const rows = sorted.map((r) => {
    const { cells, text } = bar(r.usedPercent, r.status);
    return {
      budgetId: r.budgetId,
      scope: scopeText(r.scope),
      planned: money(r, r.planned),
      committed: money(r, r.committed),
      actual: money(r, r.actual),
      remaining: money(r, r.remaining),
      usedPercent: String(r.usedPercent),
      forecastAtEnd: money(r, r.forecastAtEnd),
      runsOutOn: r.runsOutOn ?? '-',
      status: r.status,
      bar: cells,
      barText: text,
    };
  });
  const atRisk = sorted.filter((r) => r.status !== 'on-track').length;
  return {
    labelId,
    to: owner,
    subjectId: keyParts('budget-report', date),
    kind: 'budget-report',
    template: budgetTemplateNames.report,
    data: views({
      ownerName: owner.name,
      date,
      summary: `${sorted.length} budget${sorted.length === 1 ? '' : 's'}, ${atRisk} at risk or over`,
      rows,
      linesOver: sorted.flatMap((r) =>
        r.linesOver.map(
          (l) => `${r.budgetId}: ${l.lineId} ${money(r, l.spent)} spent of ${money(r, l.planned)} planned`,
        ),
      ),
      unconverted: sorted.flatMap((r) =>
        r.unconverted.map(
          (u) =>
            `${r.budgetId}: ${u.expenseId} (${u.vendor}, ${u.date}) ${formatMoney(u.amount)}: no ${u.amount.currency}/${r.currency} rate for ${u.date}`,
        ),
      ),
      duplicates: sorted.flatMap((r) =>
        r.possibleDuplicates.map(
          (d) => `${r.budgetId}: ${d.vendor} invoice ${d.invoiceNumber} under ${d.expenseIds.join(', ')}`,
        ),
      ),
      drift: sorted.flatMap((r) =>
        r.drift.map((d) => {
          const currency = d.total.startsWith('unconverted') ? d.total.split(' ')[1] : r.currency;
          const show = (minor: number) => formatMoney({ minor, currency });
          return `${r.budgetId}: ${d.total} was ${show(d.was)}, the ledger says ${show(d.ledger)}`;
        }),
      ),
      held: held.map(
        (h) => `${h.expenseId} for budget ${h.budgetId}, first seen ${h.firstSeenAt.slice(0, 10)}`,
      ),
    }),
  };
}
