import { planOfRevision, planRevision, raisedInPeriod } from '#shared/budgets/alerts.ts';
import {
  type Budget,
  type Figures,
  figuresOf,
  totalCurrency,
  unconvertedText,
} from '#shared/budgets/ledger.ts';
import { dateIn } from '#shared/days.ts';
import type { DayResult, HeldExpense } from '#shared/db/budgets.ts';
import { keptList, listKept } from '#shared/db/context-lists.ts';
import { type Delivery, type MailIdentity, mailSubjects } from '#shared/db/deliveries.ts';
import { deliveryIdOf, mailsReached, type Reach } from '#shared/db/subject-deliveries.ts';
import { byParts } from '#shared/http/cursor.ts';
import { escapeHtml, singleLine, templateDataJson, templateDataLimit } from '#shared/mail/data.ts';
import type { OutgoingMail } from '#shared/mail/ports.ts';
import { type SendOutcome, sendMails } from '#shared/mail/send.ts';
import { type Resender, staleBefore, sweepStaleClaims } from '#shared/mail/settle.ts';
import { budgetTemplateNames } from '#shared/mail/template-names.ts';
import { formatMoney } from '#shared/money/money.ts';
import { dayFigures } from './day-figures.ts';
import type { BudgetsDeps } from './ports.ts';
import { markSuppressedOwner } from './unreachable.ts';

/**
 * An alert a day's figures call for. `measuredAgainst`: the plan a threshold's or line's alert was
 * measured against, as its id names it (absent on one raised before it did): see shared/budgets/alerts.ts.
 */
export type BudgetAlert =
  | { kind: 'threshold'; alertId: string; threshold: number; measuredAgainst?: number }
  | { kind: 'forecast'; alertId: string; runsOutOn: string }
  | {
      kind: 'line';
      alertId: string;
      line: { lineId: string; planned: number; spent: number };
      measuredAgainst?: number;
    };

/** What an alert is of, as its id names it before its period: `threshold`, 80; `forecast`; `line` and its id. */
const alertParts = (alert: BudgetAlert): (string | number)[] =>
  alert.kind === 'threshold'
    ? ['threshold', alert.threshold]
    : alert.kind === 'forecast'
      ? ['forecast']
      : ['line', alert.line.lineId];
/** The alert's name in its mail's identity (`threshold:80`): with the budget and the period, it is mailed once. */
const alertName = (alert: BudgetAlert) => alertParts(alert).join(':');

/**
 * The period an alert mail is of, by its start: terms sent again with another end keep the period
 * (docs/design.md#budgets), so an alert mailed under the earlier end is the same mail.
 */
const periodOf = (budget: Pick<Budget, 'period'>) => budget.period.start;
const alertKinds = {
  threshold: 'threshold-crossed',
  forecast: 'forecast-over',
  line: 'line-over-plan',
} as const;

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

/** A count, with thousands grouped as the report's money is. */
const count = (n: number) => n.toLocaleString('en');

const scopeText = (scope: { kind: string; id: string }) => `${scope.kind} ${scope.id}`;

const revisionOf = (alert: BudgetAlert) => {
  const revision = planRevision(alert.kind === 'forecast' ? undefined : alert.measuredAgainst);
  return revision === undefined ? {} : { revision };
};

/** An alert mail's identity: the owner, the budget and the alert (threshold or line, period, and plan). */
const alertIdentity = (budget: Budget, alert: BudgetAlert): MailIdentity => ({
  labelId: budget.labelId,
  subject: mailSubjects.budgetAlert(budget.budgetId, alertName(alert), periodOf(budget)),
  email: budget.owner.email,
  kind: alertKinds[alert.kind],
  // The plan it was measured against: a warning of a plan raised since is another mail.
  ...revisionOf(alert),
});

/**
 * One alert to the budget's owner; its identity is the budget and the alert (threshold or line, period,
 * and the plan it was measured against).
 */
export function alertMail(
  budget: Budget,
  figures: Figures,
  day: { forecastAtEnd: number; runsOutOn: string | null },
  alert: BudgetAlert,
  date: string,
): OutgoingMail {
  const money = (minor: number) => formatMoney({ minor, currency: budget.currency });
  const { headline, detail } =
    alert.kind === 'threshold'
      ? {
          headline: `${alert.threshold} % of the plan is spent`,
          detail: `On ${date} committed and actual spend reached ${figures.usedPercent} % of the plan.`,
        }
      : alert.kind === 'forecast'
        ? {
            headline: `At this rate the money runs out on ${alert.runsOutOn}`,
            detail: `At the last 7 days' rate the budget is spent on ${alert.runsOutOn}, before its end on ${budget.period.end}; the forecast at the end is ${money(day.forecastAtEnd)} against ${money(figures.planned)} planned${figures.income !== 0 ? ` and ${money(figures.income)} income` : ''}.`,
          }
        : {
            headline: `Line ${alert.line.lineId} is over its plan`,
            detail: `Line ${alert.line.lineId} has ${money(alert.line.spent)} spent against ${money(alert.line.planned)} planned.`,
          };
  return {
    identity: alertIdentity(budget, alert),
    stream: 'operational',
    context: { budgetId: budget.budgetId },
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
      runsOutOn: runsOutText(day.runsOutOn, figures.remaining),
    }),
  };
}

/**
 * The day the money runs out, as a mail states it: a day within the period, or none there (see
 * dayFigures): what is left lasts the period, or nothing is left.
 */
const runsOutText = (runsOutOn: string | null, remaining: number) =>
  runsOutOn ?? (remaining > 0 ? 'not in the period' : 'already spent');

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
    (r) => r.changed || r.status !== 'on-track' || r.unconverted.count > 0 || r.possibleDuplicates.count > 0,
  );

/** What the report says of one budget: its row, and its lines in each section of what needs attention. */
function budgetReport(r: DayResult) {
  const money = (minor: number) => formatMoney({ minor, currency: r.currency });
  const { cells, text } = bar(r.usedPercent, r.status);
  return {
    row: {
      budgetId: r.budgetId,
      scope: scopeText(r.scope),
      planned: money(r.planned),
      committed: money(r.committed),
      actual: money(r.actual),
      // A tour's settled shows (docs/design.md#budgets): what remains counts them, so the row states them.
      income: r.income !== 0 ? money(r.income) : '',
      remaining: money(r.remaining),
      usedPercent: String(r.usedPercent),
      forecastAtEnd: money(r.forecastAtEnd),
      runsOutOn: runsOutText(r.runsOutOn, r.remaining),
      status: r.status,
      bar: cells,
      barText: text,
    },
    linesOver: r.linesOver.map(
      (l) => `${r.budgetId}: ${l.lineId} ${money(l.spent)} spent of ${money(l.planned)} planned`,
    ),
    unconverted: [
      ...r.unconverted.first.map(
        (u) =>
          `${r.budgetId}: ${u.expenseId} (${u.vendor}, ${u.date}) ${formatMoney(u.amount)}${u.vat ? ` net, VAT ${formatMoney(u.vat)}` : ''}: no ${u.amount.currency}/${r.currency} rate for ${u.date}`,
      ),
      // The rest are counted, not listed: the budget's view lists every one, a page at a time.
      ...(r.unconverted.more > 0
        ? [
            `${r.budgetId}: ${count(r.unconverted.more)} more not listed here (the budget's view lists every one, a page at a time); ${count(r.unconverted.count)} in all need a rate: ${Object.entries(
              r.unconverted.byCurrency,
            )
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([currency, { amounts }]) => unconvertedText(currency, amounts))
              .join('; ')}`,
          ]
        : []),
    ],
    duplicates: [
      ...r.possibleDuplicates.first.map(
        (d) =>
          `${r.budgetId}: ${d.vendor} invoice ${d.invoiceNumber} under ${[
            ...d.expenseIds,
            ...(d.elsewhere ?? []).map((e) => `${e.expenseId} of budget ${e.budgetId}`),
          ].join(', ')}${d.more > 0 ? ` and ${count(d.more)} more` : ''}`,
      ),
      // As for expenses that need a rate: the rest are counted, and the budget's view lists every one, a page at a time.
      ...(r.possibleDuplicates.more > 0
        ? [
            `${r.budgetId}: ${count(r.possibleDuplicates.more)} more invoices not listed here (the budget's view lists every one, a page at a time); ${count(r.possibleDuplicates.count)} in all are possible duplicates`,
          ]
        : []),
    ],
    refused: [
      ...(r.refused?.first ?? []).map((v) => `${r.budgetId}: ${v.expenseId} (${v.change}): ${v.reason}`),
      // As for expenses that need a rate: the rest are counted, and the budget's view lists every one.
      ...(r.refused && r.refused.more > 0
        ? [
            `${r.budgetId}: ${count(r.refused.more)} more not listed here (the budget's view lists every one, a page at a time); ${count(r.refused.count)} in all refused`,
          ]
        : []),
    ],
    drift: r.drift.map((d) => {
      const show = (minor: number) => formatMoney({ minor, currency: totalCurrency(d.total, r.currency) });
      return `${r.budgetId}: ${d.total} was ${show(d.was)}, the ledger says ${show(d.ledger)}`;
    }),
  };
}
type BudgetReport = ReturnType<typeof budgetReport>;

/**
 * How much a budget needs its owner, most first: over its plan, at risk, something to look at (a line
 * over plan, expenses that need a rate, possible duplicates, versions refused, totals repaired), on track and quiet.
 */
const needOf = (r: DayResult) =>
  r.status === 'over'
    ? 0
    : r.status === 'at-risk'
      ? 1
      : r.linesOver.length +
            r.unconverted.count +
            r.possibleDuplicates.count +
            r.drift.length +
            (r.refused?.count ?? 0) >
          0
        ? 2
        : 3;

/** A count of budgets by status, as the report's line of those it has no room for says it. */
function notListedText(left: DayResult[]) {
  if (left.length === 0) return '';
  const atRisk = left.filter((r) => r.status !== 'on-track').length;
  const budgets = `${count(left.length)} more budget${left.length === 1 ? '' : 's'}`;
  return `and ${atRisk === 0 ? `${budgets} on track` : `${budgets} (${count(atRisk)} at risk or over)`}, not listed here: this mail has room for no more; each budget's view has its figures`;
}

/**
 * The owner's results of the day with those kept after their own day's report began (which that report
 * may have passed): a budget's latest day is its row, `changed` when any of them is, since the day's
 * result compares with the late one and may find nothing new (see docs/design.md#budgets).
 */
export function withLate(day: DayResult[], late: DayResult[]): DayResult[] {
  const rows = new Map(day.map((r) => [r.budgetId, r]));
  for (const result of late) {
    const row = rows.get(result.budgetId);
    const latest = !row || row.date < result.date ? result : row;
    rows.set(result.budgetId, { ...latest, changed: result.changed || row?.changed === true });
  }
  return [...rows.values()];
}

/**
 * The late results a report tells, as its claim keeps them (`context.late`: `[day, budgetId]` pairs,
 * `keptList`, since an id may hold any character): the report marks them reported as its mail is claimed, so
 * the sweep's resend reads them back from there to state what the first sending would have.
 */
const keptLate = (late: Pick<DayResult, 'date' | 'budgetId'>[]): Record<string, string> =>
  late.length === 0
    ? {}
    : {
        late: keptList(late.map((r) => [r.date, r.budgetId]).sort((a, b) => byParts(a, b))),
      };
const lateOf = (context: Record<string, string>) => listKept<[string, string]>(context.late);

/**
 * The owner's daily report: one row per budget they hold (by id, by code units as every list: `byParts`),
 * then what needs their attention.
 * Its template data must stay within what SES takes (`templateDataLimit`), and an owner may hold
 * hundreds of budgets: when all of them do not fit, the report lists the budgets in order of need
 * (over, at risk, the held expenses, something to look at, quiet; by id within each) as long as they
 * fit, and counts the rest (see docs/design.md#budgets).
 */
export function reportMail(
  labelId: string,
  date: string,
  results: DayResult[],
  held: HeldExpense[],
  /** The manager's time zone: the day a held expense was first seen is theirs. */
  timeZone: string,
  /** The late results among `results` (withLate), kept on the claim for the sweep's resend. */
  late: Pick<DayResult, 'date' | 'budgetId'>[] = [],
): OutgoingMail {
  const sorted = [...results].sort((a, b) => byParts([a.budgetId], [b.budgetId]));
  const owner = sorted[0].owner;
  const reports = new Map(sorted.map((r) => [r.budgetId, budgetReport(r)]));
  const heldLines = [...held]
    .sort((a, b) => byParts([a.budgetId, a.expenseId], [b.budgetId, b.expenseId]))
    .map(
      (h) =>
        `${h.expenseId}${h.expense ? ` (${h.expense.vendor}, ${h.expense.date}) ${formatMoney(h.expense.amount)}` : ''} for budget ${h.budgetId}, which never arrived; first seen ${dateIn(h.firstSeenAt, timeZone)}`,
    );
  const atRisk = sorted.filter((r) => r.status !== 'on-track').length;
  // The report cannot tell cheaply which of the owner's budgets have no result yet (no index by owner):
  // it says what it counts (see docs/design.md#budgets).
  const summary = `${sorted.length} budget${sorted.length === 1 ? '' : 's'} reconciled before this report, ${atRisk} at risk or over; a budget of yours reconciled after it is in a later report, once it changes or is at risk`;
  const dataOf = (listed: DayResult[], heldListed: number, notListed: string) => {
    const shown = listed.map((r) => reports.get(r.budgetId) as BudgetReport);
    const heldLeft = heldLines.length - heldListed;
    return views({
      ownerName: owner.name,
      date,
      summary,
      rows: shown.map((b) => b.row),
      notListed,
      linesOver: shown.flatMap((b) => b.linesOver),
      unconverted: shown.flatMap((b) => b.unconverted),
      duplicates: shown.flatMap((b) => b.duplicates),
      refused: shown.flatMap((b) => b.refused),
      drift: shown.flatMap((b) => b.drift),
      held: [
        ...heldLines.slice(0, heldListed),
        ...(heldLeft > 0
          ? [`and ${count(heldLeft)} more not listed here: this mail has room for no more`]
          : []),
      ],
    });
  };
  let data = dataOf(sorted, heldLines.length, '');
  if (templateDataJson(data).length > templateDataLimit) data = fitted(sorted, heldLines, dataOf);
  return {
    identity: {
      labelId,
      subject: mailSubjects.ownerReport(owner.email, date),
      email: owner.email,
      kind: 'budget-report',
    },
    stream: 'operational',
    context: { budgetIds: keptList(sorted.map((r) => r.budgetId)), ...keptLate(late) },
    template: budgetTemplateNames.report,
    data,
  };
}

/**
 * The report's data with as much as fits within `templateDataLimit`, in order of need (see
 * reportMail): each budget and each held expense costs what its lines add to the data as sent, and
 * the lines that count what is left have their room first. Measured again whole before it goes.
 */
function fitted(
  sorted: DayResult[],
  heldLines: string[],
  dataOf: (listed: DayResult[], heldListed: number, notListed: string) => ReturnType<typeof views>,
) {
  const size = (data: unknown) => templateDataJson(data).length;
  type Entry = { budget: DayResult } | { held: string };
  const byNeed = (...need: number[]) =>
    sorted.filter((r) => need.includes(needOf(r))).map((budget): Entry => ({ budget }));
  const order: Entry[] = [
    ...byNeed(0, 1),
    ...heldLines.map((held): Entry => ({ held })),
    ...byNeed(2),
    ...byNeed(3),
  ];
  // Nothing listed, with the longest lines counting what is left: every held expense, every budget.
  const base = size(dataOf([], 0, notListedText(sorted)));
  const empty = size(dataOf([], 0, ''));
  // A budget adds its row and lines and, joining each of its arrays to the others, a comma in each view.
  const costOf = (entry: Entry) =>
    'held' in entry ? size(views(entry.held)) : size(dataOf([entry.budget], 0, '')) - empty + 10;
  let room = templateDataLimit - base;
  let fits = 0;
  for (const entry of order) {
    room -= costOf(entry);
    if (room < 0) break;
    fits++;
  }
  for (; ; fits--) {
    const kept = order.slice(0, fits);
    const listed = new Set(kept.flatMap((e) => ('budget' in e ? [e.budget.budgetId] : [])));
    const data = dataOf(
      sorted.filter((r) => listed.has(r.budgetId)),
      kept.filter((e) => 'held' in e).length,
      notListedText(sorted.filter((r) => !listed.has(r.budgetId))),
    );
    if (size(data) <= templateDataLimit || fits === 0) return data;
  }
}

/** Mail leaves this long before the function's timeout at the latest; what is left is retried. */
const sendingMs = 30_000;

/**
 * Sends budget mail through the mail module: each identity once, whatever retries. Mail left unsent
 * (the send rate, a throttled SES) fails the invocation, and Lambda's retry sends only what is left;
 * mail SES refused while paused is left claimed, for the stale-claim sweep to send once SES sends again
 * (docs/design.md#send-rate).
 * Mail left out because its address is suppressed marks its owner unreachable, as a bounce of budget
 * mail does (see docs/design.md#budgets). Answers how many of the mails this call claimed (`claimed`)
 * and how many it found claimed before (`claimedBefore`), which may yet be given back by the run that
 * claimed them.
 */
export async function sendBudgetMail(
  deps: Pick<BudgetsDeps, 'mail' | 'now' | 'store'>,
  mails: OutgoingMail[],
  correlationId: string,
): Promise<Pick<SendOutcome, 'claimed' | 'claimedBefore'>> {
  const outcome = await sendMails(deps.mail, mails, deps.now().getTime() + sendingMs);
  // As the send found them: the suppression list is read once (a second read may answer otherwise).
  for (const mail of outcome.leftOutSuppressed) await markSuppressedOwner(mail, correlationId, deps);
  if (outcome.unfinished) throw new Error(`budget mail: ${outcome.left} left to send; retried`);
  return outcome;
}

/**
 * Sends the owner's report (`reportMail`, telling `late`) and answers which of those late results a
 * sending of it tells, for the report to mark reported: all of them when this call claimed it (or left it
 * out, its address suppressed); when it was claimed before (a retry of a report that stopped after its
 * claim), those the claim keeps (`context.late`, which the sweep's resend tells too). A late result noted
 * after that claim is in no sending of it: left unreported, it is in the next report (docs/design.md#budgets).
 */
export async function sendReport(
  deps: Pick<BudgetsDeps, 'mail' | 'now' | 'store'>,
  mail: OutgoingMail,
  late: DayResult[],
  correlationId: string,
): Promise<DayResult[]> {
  const { claimedBefore } = await sendBudgetMail(deps, [mail], correlationId);
  if (claimedBefore === 0) return late;
  const id = deliveryIdOf(mail.identity);
  // Strongly: the claim may have been written a moment before, by a concurrent run of the same report.
  const claim = (await deps.mail.deliveries.getMany([id], { consistent: true })).get(id);
  const kept = new Set(lateOf(claim?.context ?? {}).map((day) => JSON.stringify(day)));
  return late.filter((r) => kept.has(JSON.stringify([r.date, r.budgetId])));
}

/** Claims of budget mail left open by a crash are sent again, once stale, on the outbox sweep. */
export async function sweepBudgetMail(deps: Pick<BudgetsDeps, 'mail' | 'now' | 'store' | 'timeZone'>) {
  for (const resender of budgetResenders(deps))
    await sweepStaleClaims(deps.mail, resender, deps.now().getTime() + sendingMs);
}

/**
 * The budgets' share of the stale-claim sweep: an alert or report whose claim stayed open (a crash
 * between claiming and SES's answer, and no Email Sent event) is written again from the budget as it
 * is now and sent again (see shared/mail/settle.ts). One the sweep closes because its address is
 * suppressed since marks its owner unreachable, as sendBudgetMail does (see docs/design.md#budgets).
 */
export const budgetResenders = (
  deps: Pick<BudgetsDeps, 'mail' | 'store' | 'timeZone' | 'now'>,
): Resender[] => {
  const leftOutSuppressed = async (mail: OutgoingMail, delivery: Delivery) => {
    await markSuppressedOwner(mail, `resend-${delivery.deliveryId}`, deps);
  };
  // Whether each warning reached SES (mailsReached), by delivery id, as this sweep round read it: the
  // sweep rebuilds each stale warning on its own, and those of one budget, period and plan ask after the
  // same higher warnings. The first asks for all the budget's thresholds in one strongly consistent read;
  // the others of the round take their answers from it. Built again each round (sweepBudgetMail), so no
  // answer outlives the round that read it.
  const readThisRound = new Map<string, Reach>();
  const warningsReached = async (asked: MailIdentity[], all: MailIdentity[]): Promise<Reach[]> => {
    const ids = asked.map(deliveryIdOf);
    if (ids.every((id) => readThisRound.has(id))) return ids.map((id) => readThisRound.get(id));
    const unread = new Map<string, MailIdentity>();
    for (const mail of [...asked, ...all])
      if (!readThisRound.has(deliveryIdOf(mail))) unread.set(deliveryIdOf(mail), mail);
    const reached = await mailsReached(deps.mail.deliveries, staleBefore(deps.mail), [...unread.values()]);
    for (const [index, id] of [...unread.keys()].entries()) readThisRound.set(id, reached[index]);
    return ids.map((id) => readThisRound.get(id));
  };
  // Each budget's ledger, as this round first read it: the budget's stale warnings (each rebuilt on its
  // own) are written from one read of it, as its higher warnings are asked after once.
  const ledgersThisRound = new Map<string, ReturnType<typeof deps.store.ledger>>();
  const ledgerOf = (labelId: string, budgetId: string) => {
    const key = JSON.stringify([labelId, budgetId]);
    if (!ledgersThisRound.has(key)) ledgersThisRound.set(key, deps.store.ledger(labelId, budgetId));
    return ledgersThisRound.get(key)!;
  };
  return [
    {
      subjectType: 'budget-alert',
      leftOutSuppressed,
      async rebuild(stale: Delivery[]) {
        const mails = new Map<string, OutgoingMail>();
        const closed = new Map<string, string>();
        for (const delivery of stale) {
          const [, budgetId, name, period] = delivery.subject;
          const ledger = await ledgerOf(delivery.labelId, budgetId);
          const budget = ledger.budget;
          if (!budget || periodOf(budget) !== period || budget.owner.email !== delivery.email) continue;
          const figures = figuresOf(budget, ledger.totals);
          const last = budget.lastResult;
          // The plan the warning was measured against, as its identity names it: a warning of a plan no
          // longer in force is not wanted (the spend is warned of against the plan in force, if it crosses it).
          const plan = planOfRevision(delivery.revision);
          const ofPlan = (planned: number) => plan === undefined || plan === planned;
          const alert: BudgetAlert | undefined = name.startsWith('threshold:')
            ? ofPlan(figures.planned)
              ? {
                  kind: 'threshold',
                  alertId: '',
                  threshold: Number(name.slice('threshold:'.length)),
                  ...(plan === undefined ? {} : { measuredAgainst: plan }),
                }
              : undefined
            : name === 'forecast'
              ? { kind: 'forecast', alertId: '', runsOutOn: last?.runsOutOn ?? budget.period.end }
              : figures.lines
                  .filter((line) => `line:${line.lineId}` === name && ofPlan(line.planned))
                  .map(
                    (line): BudgetAlert => ({
                      kind: 'line',
                      alertId: '',
                      line,
                      ...(plan === undefined ? {} : { measuredAgainst: plan }),
                    }),
                  )[0];
          if (!alert) continue;
          // The owner is warned at the highest threshold reached (warnedOfDay, reconcile.ts): a warning of a
          // higher one of the same budget, period and plan, mailed or claimed (to be sent, or sent again),
          // says where the budget stands, and this one, out of date, is closed without mail, saying so
          // (docs/design.md#budgets). One strongly consistent read of those warnings a round (warningsReached).
          if (alert.kind === 'threshold') {
            const warningAt = (threshold: number) => alertIdentity(budget, { ...alert, threshold });
            const higher = budget.thresholds
              .filter((threshold) => threshold > alert.threshold)
              .sort((a, b) => b - a);
            const reached = await warningsReached(higher.map(warningAt), budget.thresholds.map(warningAt));
            const by = higher.find((_, index) => reached[index] !== false);
            if (by !== undefined) {
              closed.set(delivery.deliveryId, `superseded by the ${by} % warning`);
              continue;
            }
          }
          // The day the first mail named: its reconciliation's, kept with the alert (that day's result may
          // never have been kept: the function stopped before it).
          const date =
            raisedInPeriod(ledger.alerts, period, plan, ...alertParts(alert))?.date ??
            last?.date ??
            dateIn(delivery.claimedAt, deps.timeZone);
          // The forecast and the day the money runs out at that day's rate, as the first mail stated them
          // (the budget's last result may be of the day before), of the ledger as it is now.
          const day = dayFigures(budget, figures, ledger.states, date);
          const told =
            alert.kind === 'forecast' && day.runsOutOn ? { ...alert, runsOutOn: day.runsOutOn } : alert;
          mails.set(delivery.deliveryId, alertMail(budget, figures, day, told, date));
        }
        return { mails, closed };
      },
    },
    {
      subjectType: 'owner-report',
      async rebuild(stale: Delivery[]) {
        const mails = new Map<string, OutgoingMail>();
        for (const delivery of stale) {
          const [, email, date] = delivery.subject;
          // The late days the first sending told, as its claim keeps them: marked reported since, no
          // later report tells them (docs/design.md#budgets). A day's result is kept once, as first read.
          const late: DayResult[] = [];
          for (const [day, budgetIds] of Map.groupBy(lateOf(delivery.context), ([day]) => day)) {
            const ids = new Set(budgetIds.map(([, budgetId]) => budgetId));
            for (const result of await deps.store.dayResults(day, delivery.labelId, email))
              if (ids.has(result.budgetId)) late.push(result);
          }
          const results = withLate(await deps.store.dayResults(date, delivery.labelId, email), late);
          if (results.length === 0) continue;
          const held = await deps.store.heldReported(date, delivery.labelId);
          mails.set(
            delivery.deliveryId,
            reportMail(delivery.labelId, date, results, held, deps.timeZone, late),
          );
        }
        return { mails };
      },
      leftOutSuppressed,
    },
  ];
};
