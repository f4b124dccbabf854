import {
  alertIdOf,
  type RaisedAlert,
  raisedInPeriod,
  thresholdsWarnedInPeriod,
} from '#shared/budgets/alerts.ts';
import {
  type Budget,
  type Counters,
  duplicatesSummary,
  type ExpenseState,
  emptyState,
  evaluate,
  type Figures,
  figuresOf,
  listedOf,
  namesOf,
  orderHoldsShare,
  possibleDuplicates,
  refusedListed,
  sameCounters,
  sameState,
  settlesOf,
  sum,
  totalCurrency,
  totalsOf,
  unconvertedSummary,
  withVersion,
} from '#shared/budgets/ledger.ts';
import { addDays, dateIn } from '#shared/days.ts';
import {
  type DayResult,
  type DriftRecord,
  type Ledger,
  maxFanOutEntries,
  type StoredBudget,
  TotalPastLimitError,
  TotalsItemFullError,
} from '#shared/db/budgets.ts';
import { mailsReached } from '#shared/db/deliveries.ts';
import {
  BudgetForecastOver,
  BudgetLineOverPlan,
  BudgetReconciled,
  BudgetReconciliationDue,
  BudgetThresholdCrossed,
  type EventData,
  type Metadata,
  type OutboxEntry,
  outboxEntry,
  ReconciliationDue,
} from '#shared/events/index.ts';
import { byParts } from '#shared/http/cursor.ts';
import type { OutgoingMail } from '#shared/mail/ports.ts';
import { staleBefore } from '#shared/mail/settle.ts';
import { dayFigures } from './day-figures.ts';
import {
  driftDifferences,
  driftRepaired,
  type ReleaseRepaired,
  type Repair,
  ratesFor,
  reevaluate,
  refuseUncountable,
  repairShares,
  settleAcrossBudgets,
  takeHomeHolding,
} from './ledger-changes.ts';
import { alertMail, type BudgetAlert, sendBudgetMail } from './mail.ts';
import type { BudgetsDeps } from './ports.ts';
import { takeTourSettlements } from './settlements.ts';

/** Whether a mail claimed before this run went out (not a claim still open, which may yet be given back). */
const wentOutBefore = async (deps: BudgetsDeps, mail: OutgoingMail): Promise<boolean> =>
  (await mailsReached(deps.mail.deliveries, staleBefore(deps.mail), [mail.identity]))[0] === true;

const source = 'backline.budgets';

const reconciledAfterEndDays = 31;

/** A budget is reconciled (and its owner reported to) until a month after its period ends: late invoices still arrive. */
export const isActive = (endsOn: string, date: string) => endsOn >= addDays(date, -reconciledAfterEndDays);

/**
 * The daily `Reconciliation Due` fans out: each invocation puts one page of `Budget Reconciliation
 * Due` events (one per budget) and, when there are more budgets, `Reconciliation Due` again with the
 * cursor of the next page, all through the outbox with the page's marker, so a repeated page puts
 * nothing twice. No invocation reconciles more than one budget (see docs/design.md#budgets).
 */
export async function fanOutReconciliation(
  data: EventData<typeof ReconciliationDue>,
  metadata: Metadata,
  deps: Pick<BudgetsDeps, 'store' | 'timeZone'>,
  pageSize = maxFanOutEntries - 1,
) {
  const date = data.date ?? dateIn(metadata.occurredAt, deps.timeZone);
  const page = await deps.store.budgetsPage(data.cursor, pageSize);
  const meta = { source, correlationId: metadata.correlationId };
  const active = page.items.filter((budget) => isActive(budget.endsOn, date));
  const entries: OutboxEntry[] = active.map(({ labelId, budgetId }) =>
    outboxEntry(BudgetReconciliationDue, { labelId, budgetId, date }, { ...meta, labelId }),
  );
  if (page.cursor) entries.push(outboxEntry(ReconciliationDue, { date, cursor: page.cursor }, meta));
  if (entries.length === 0) return;
  await deps.store.putFanOutPage('reconciliation', date, data.cursor, entries);
}

/**
 * Every expense's state rebuilt from its versions alone (at the revision of its state as read beside
 * them), each through `evaluateState` (what it counts
 * under the budget's terms and rates), and who settles which commitment: an actual settles as it counts
 * (see settlesOf), so a commitment's settlement is set after the actuals are evaluated, and the
 * commitment evaluated again with it.
 */
export function statesFromLedger(
  ledger: Ledger,
  evaluateState: (state: ExpenseState) => ExpenseState = (state) => state,
): Map<string, ExpenseState> {
  const stored = new Map(ledger.states.map((s) => [s.expenseId, s]));
  const rebuilt = new Map<string, ExpenseState>();
  for (const version of [...ledger.versions].sort((a, b) => a.at.localeCompare(b.at))) {
    const before =
      rebuilt.get(version.expenseId) ??
      emptyState(version.expenseId, stored.get(version.expenseId)?.firstSeenAt ?? version.receivedAt);
    rebuilt.set(version.expenseId, withVersion(before, version));
  }
  // A commitment named by an actual may have no version yet: it keeps a state saying who settles it.
  for (const state of ledger.states)
    if (!rebuilt.has(state.expenseId))
      rebuilt.set(state.expenseId, emptyState(state.expenseId, state.firstSeenAt));
  // Who of other budgets settles a commitment is in their ledgers, not in this one's: kept as stored.
  // So is what an order's own budget says of it (heldAtHome).
  for (const [expenseId, state] of rebuilt) {
    const { settledElsewhere: elsewhere, heldAtHome } = stored.get(expenseId) ?? {};
    const { settledElsewhere: _, ...rest } = state;
    rebuilt.set(
      expenseId,
      evaluateState({
        ...rest,
        // At the revision of the state read beside the versions: a write of it is refused once that state
        // has changed since (reevaluate).
        revision: stored.get(expenseId)?.revision ?? 0,
        settledBy: [],
        ...(elsewhere?.length ? { settledElsewhere: elsewhere } : {}),
        ...(heldAtHome === undefined ? {} : { heldAtHome }),
      }),
    );
  }
  const settledBy = new Map<string, string[]>();
  const namedBy = new Map<string, string[]>();
  for (const state of rebuilt.values()) {
    const target = settlesOf(state);
    if (target) settledBy.set(target, [...(settledBy.get(target) ?? []), state.expenseId].sort());
    const named = namesOf(state);
    if (named) namedBy.set(named, [...(namedBy.get(named) ?? []), state.expenseId].sort());
  }
  for (const [target, actuals] of settledBy) {
    const commitment = rebuilt.get(target) ?? emptyState(target, rebuilt.get(actuals[0])!.firstSeenAt);
    rebuilt.set(target, evaluateState({ ...commitment, settledBy: actuals }));
  }
  // Who names an order is kept on a state of it this budget has (none is made for it).
  for (const [order, actuals] of namedBy) {
    const state = rebuilt.get(order);
    if (state) rebuilt.set(order, { ...state, namedBy: actuals });
  }
  return rebuilt;
}

/**
 * An alert a day's figures call for. `statedByAnother`: a threshold raised (its event stated, the view
 * listing it crossed) with no mail of its own, since the day's one threshold warning states where the
 * budget stands (see warnedOfDay).
 */
type DayAlert = BudgetAlert & { statedByAnother?: true };

/**
 * The one threshold whose mail tells the owner where the budget stands on a day: the highest of those
 * still to warn of (`unwarned`: reached against the plan in force and not mailed, raised that day or
 * raised before and never mailed), so a spend crossing 50 and 80 % in one day's reconciliation (a big
 * invoice) is one warning, at 80 %, and the others are stated by it. On the first day reconciled under a
 * plan changed (raised or cut) since the owner was warned in the period (`warnedBefore`: the thresholds
 * raised in it before that day, against whichever plan), every threshold reached is new against it, and
 * none is mailed (null) when the highest is below every threshold warned at. Undefined on a day with
 * none to warn of. A day reconciled again (redelivered, retried, two runs at once) finds the ones stated
 * marked mailed and the one to mail not, until its mail went out, and mails that one (see
 * docs/design.md#budgets).
 */
function warnedOfDay(
  previous: DayResult | undefined,
  figures: Figures,
  unwarned: number[],
  warnedBefore: number[],
): number | null | undefined {
  const highest = unwarned.at(-1);
  if (highest === undefined) return undefined;
  const planChanged = previous !== undefined && previous.planned !== figures.planned;
  return planChanged && warnedBefore.length > 0 && highest < Math.min(...warnedBefore) ? null : highest;
}

/**
 * The alerts a day's figures call for; each has an id that is the same every day of the period while
 * the plan it is measured against stands (`<alert>#<start>#<end>#<plan>`, shared/budgets/alerts.ts). A
 * period is known by its start: terms sent again with another end (the campaign runs longer or shorter)
 * keep it, so an alert raised under the earlier end keeps its id (raised once, its event once; mailed,
 * it is not mailed again). A threshold or a line crossed against a plan changed since is a new alert, and
 * one crossed against a plan lowered back to one it was raised at is that alert; of the thresholds a day
 * raises, one is mailed (see warnedOfDay and docs/design.md#budgets).
 */
function alertsOf(
  budget: StoredBudget,
  figures: Figures,
  day: ReturnType<typeof dayFigures>,
  raised: Ledger['alerts'],
  date: string,
): DayAlert[] {
  const alreadyRaised = (planned: number | undefined, ...alert: (string | number)[]) =>
    raisedInPeriod(raised, budget.period.start, planned, ...alert);
  const raisedOf = (planned: number | undefined, ...alert: (string | number)[]): RaisedAlert => {
    const found = alreadyRaised(planned, ...alert);
    if (found) return { alertId: found.alertId, ...measured(found.measuredAgainst) };
    return { alertId: alertIdOf(alert, budget.period, planned), ...measured(planned) };
  };
  const alerts: DayAlert[] = [];
  const unwarned = figures.thresholdsReached.filter(
    (threshold) => alreadyRaised(figures.planned, 'threshold', threshold)?.mailed !== true,
  );
  // Warned before this day: what an earlier run of the same day raised is the day's own.
  const warnedBefore = thresholdsWarnedInPeriod(
    raised.filter((alert) => alert.date !== date),
    budget.period.start,
  );
  const told = warnedOfDay(budget.lastResult, figures, unwarned, warnedBefore);
  for (const threshold of figures.thresholdsReached)
    alerts.push({
      kind: 'threshold',
      ...raisedOf(figures.planned, 'threshold', threshold),
      threshold,
      ...(unwarned.includes(threshold) && told !== threshold ? { statedByAnother: true } : {}),
    });
  if (day.forecastOver && day.runsOutOn)
    alerts.push({ kind: 'forecast', ...raisedOf(undefined, 'forecast'), runsOutOn: day.runsOutOn });
  for (const line of day.linesOver)
    alerts.push({ kind: 'line', ...raisedOf(line.planned, 'line', line.lineId), line });
  return alerts;
}

const measured = (plan: number | undefined) => (plan === undefined ? {} : { measuredAgainst: plan });

function alertEvent(
  budget: Budget,
  figures: Figures,
  day: ReturnType<typeof dayFigures>,
  alert: BudgetAlert,
  date: string,
) {
  const money = (minor: number) => ({ minor, currency: budget.currency });
  const ref = { labelId: budget.labelId, budgetId: budget.budgetId, date, period: budget.period };
  const meta = { source, labelId: budget.labelId };
  if (alert.kind === 'threshold')
    return outboxEntry(
      BudgetThresholdCrossed,
      {
        ...ref,
        threshold: alert.threshold,
        usedPercent: figures.usedPercent,
        used: money(figures.used),
        planned: money(figures.planned),
      },
      meta,
    );
  if (alert.kind === 'forecast')
    return outboxEntry(
      BudgetForecastOver,
      {
        ...ref,
        forecastAtEnd: money(day.forecastAtEnd),
        planned: money(figures.planned),
        runsOutOn: alert.runsOutOn,
      },
      meta,
    );
  return outboxEntry(
    BudgetLineOverPlan,
    { ...ref, lineId: alert.line.lineId, planned: money(alert.line.planned), spent: money(alert.line.spent) },
    meta,
  );
}

const maxAttempts = 4;

/** What one budget's reconciliation did, for its metrics: the thresholds it alerted. */
export interface Reconciled {
  /** The thresholds (percent of the plan) whose alert was mailed by this reconciliation. */
  thresholdsAlerted: number[];
}

/**
 * One budget's day: totals recomputed from the ledger (expenses whose count changed, a rate added
 * since, are counted again; running totals that differ from the ledger are drift, repaired and
 * reported), then burn rate, forecast, runs-out date, alerts once each, and the day's result.
 * Undefined for a budget that no longer exists.
 */
export async function reconcileBudget(
  data: EventData<typeof BudgetReconciliationDue>,
  metadata: Metadata,
  deps: BudgetsDeps,
  measured: (drift: Record<string, number>) => void = () => {},
): Promise<Reconciled | undefined> {
  const { labelId, budgetId, date } = data;
  const now = deps.now().toISOString();
  let drift: DayResult['drift'] = [];
  // The drift repaired, by currency, measured as each repair's write lands (kept and stated): this
  // budget's, every release repaired in whichever budget, its push of a home's word, the shares counted
  // apart. An invocation failing later (its day result's write throttled) finds nothing to repair when
  // delivered again: its repairs are measured once, by the attempt that wrote them (docs/design.md#budgets).
  const stated = (found: ReleaseRepaired[]) => measured(driftByCurrency(found));
  // The repair's refusals: each takes one expense off the ledger, so at most one an expense.
  let refusals = 0;
  for (let attempt = 0; ; attempt++) {
    if (attempt >= maxAttempts)
      throw new Error(`budget ${budgetId}: its ledger kept changing while reconciled`);
    // Eventually consistent first (half the read units); a difference is checked again with a strong read.
    const ledger = await deps.store.ledger(labelId, budgetId, { consistent: attempt > 0 });
    const budget = ledger.budget;
    if (!budget) return;
    // A day past its last active one (an event put before its period moved, a redrive) is none of its days:
    // no result, no alert. A result kept late reaches the next report without one (docs/design.md#budgets).
    if (!isActive(budget.period.end, date)) return;
    if (attempt === 0) {
      const tours = await takeTourSettlements(labelId, budget, deps, ledger.versions);
      const { repaired, held } = await repairReleases(
        ledger,
        { labelId, budgetId, date, now, metadata, stated },
        deps,
      );
      // Read again (strongly) only when this ledger changed: a release repaired in another budget
      // writes there, and checks this budget's states without changing them.
      if (tours > 0 || held || repaired.some((r) => r.budgetId === budgetId)) continue;
    }
    const rates = await ratesFor(deps.store, [...statesFromLedger(ledger).values()], budget);
    const holdsShare = orderHoldsShare(ledger.states);
    const evaluated = statesFromLedger(ledger, (state) => evaluate(state, budget, rates, holdsShare));
    const stored = new Map(ledger.states.map((s) => [s.expenseId, s]));
    const recount = [...evaluated.values()].filter((state) => {
      const before = stored.get(state.expenseId);
      return !before || !sameState(state, before);
    });
    // Every attempt counts again before it judges drift; one that wrote reads again (docs/design.md#budgets).
    if (recount.length > 0) {
      // A state whose recoupable share alone differs is drift, not a new rate's (see docs/design.md#budgets):
      // judged on a strong read, and written with its drift; the rest is counted again.
      const repaired: ExpenseState[] = [];
      const rest: string[] = [];
      for (const state of recount) {
        const before = stored.get(state.expenseId);
        if (before && sameState({ ...state, recoupable: before.recoupable }, before)) repaired.push(state);
        else rest.push(state.expenseId);
      }
      let refusedLast = false;
      if (repaired.length > 0) {
        if (attempt === 0) continue;
        // What was written before a refused transaction is stated (and measured), then read again.
        const { found, incomplete } = await repairShares(
          labelId,
          budgetId,
          ledger.states,
          repaired,
          { date, at: now, correlationId: metadata.correlationId, stated },
          deps.store,
          undefined,
          // What the shares held is this read's: a write into the budget since refuses the repair.
          ledger.totalsRevision,
        );
        // Refused on the last attempt with nothing else to count again, the shares (in no running total)
        // wait for the next day's reconciliation, and the day is judged on this read, with the repairs
        // this attempt wrote before the refusal, kept for the day (docs/design.md#budgets).
        if (incomplete && (rest.length > 0 || attempt < maxAttempts - 1)) continue;
        refusedLast = incomplete === true;
        if (refusedLast) drift = found.flatMap((repair) => repair.differences);
      }
      if (!refusedLast) {
        await reevaluate(labelId, budgetId, rest, deps, evaluated);
        continue;
      }
    }
    const ledgerTotals = sum(...[...evaluated.values()].map((s) => s.contribution));
    if (!sameCounters(ledger.totals, ledgerTotals)) {
      if (attempt === 0) continue;
      const differences = driftDifferences(ledger.totals, ledgerTotals);
      let repaired: boolean;
      try {
        // A ledger past the limit is no total to repair to: the store refuses it (TotalPastLimitError).
        repaired = await deps.store.repairTotals(
          labelId,
          budgetId,
          ledger.totalsRevision,
          ledgerTotals,
          { date, at: now, differences },
          [driftRepaired(labelId, budgetId, date, differences, metadata.correlationId)],
        );
      } catch (error) {
        if (!(error instanceof TotalPastLimitError)) throw error;
        // The repair counts the ledger from nothing, as a recount does: what fits is counted in the order
        // received and the expense to blame refused for good, then read again (see docs/design.md#money).
        // Thrown, the reconciliation would be retried into the dead letters, and so every day after.
        const states = [...evaluated.values()];
        const fromNothing = states.map((s): [ExpenseState, ExpenseState] => [
          emptyState(s.expenseId, s.firstSeenAt),
          s,
        ]);
        const held = error instanceof TotalsItemFullError ? ledger.totals : {};
        const ids = states.map((s) => s.expenseId);
        if (refusals++ >= ids.length) throw error;
        if (!(await refuseUncountable(labelId, budgetId, error, held, fromNothing, ids, deps.store)))
          throw error;
        // A refusal is the reconciliation's own change, not the ledger moving under it (as a recount's).
        attempt = 0;
        continue;
      }
      // Refused: the ledger moved since its read, or this very write landed with its answer lost, its
      // drift record kept at this reconciliation's instant (docs/design.md#failures-and-retries).
      if (!repaired && !(await driftKept(deps.store, labelId, budgetId, { date, at: now, differences })))
        continue;
      drift = [...drift, ...differences];
      stated([{ budgetId, currency: budget.currency, differences }]);
    }
    const duplicates = duplicatesSummary(
      possibleDuplicates([...evaluated.values()], ledger.flagged, budgetId),
    );
    const thresholdsAlerted = await concludeDay(
      budget,
      ledger.alerts,
      ledger.refused,
      ledgerTotals,
      [...evaluated.values()],
      duplicates,
      // The day's drift is every repair kept for the date in this budget (an attempt stopped after some
      // was written and stated counts them too) but those of other budgets' reconciliations, and the
      // totals' repair of this attempt, made after its read (see docs/design.md#budgets).
      [
        ...ledger.drift
          .filter((d) => d.date === date && (d.by ?? budgetId) === budgetId)
          .flatMap((d) => d.differences),
        ...drift,
      ],
      date,
      now,
      metadata,
      deps,
    );
    return { thresholdsAlerted };
  }
}

/**
 * Whether the ledger, read again, keeps the totals' repair `record` (this reconciliation's, at its own
 * instant: no other writes it): its write landed though answered as refused.
 */
async function driftKept(
  store: BudgetsDeps['store'],
  labelId: string,
  budgetId: string,
  record: DriftRecord,
) {
  const { drift } = await store.ledger(labelId, budgetId, { consistent: true });
  // Each difference as text: DynamoDB keeps no order among a map's attributes.
  const stated = (differences: DriftRecord['differences']) =>
    differences.map(({ total, was, ledger }) => `${total}=${was}>${ledger}`).join('\n');
  return drift.some(
    (d) =>
      d.date === record.date &&
      d.at === record.at &&
      d.by === undefined &&
      stated(d.differences) === stated(record.differences),
  );
}

/**
 * Repairs' drift by currency: every difference in its own (an unconverted total's, totalCurrency), else
 * in the currency of the budget it was repaired in.
 */
function driftByCurrency(repairs: ReleaseRepaired[]) {
  const byCurrency: Record<string, number> = {};
  for (const { currency: of, differences } of repairs)
    for (const d of differences) {
      const c = totalCurrency(d.total, of);
      byCurrency[c] = (byCurrency[c] ?? 0) + Math.abs(d.ledger - d.was);
    }
  for (const of of Object.keys(byCurrency)) if (byCurrency[of] === 0) delete byCurrency[of];
  return byCurrency;
}

/**
 * The safety net of releases across budgets (see docs/design.md#budgets): a failure between a write
 * and the release it leads to (a rate or terms that make an invoice settle, a recount under terms
 * changed meanwhile) is not tried again by a redelivery, which finds nothing changed. So each day, for
 * the few states of this budget that involve another (an order it holds that others settle, or its
 * actuals' settlement of an order held elsewhere, or not received yet), who settles the order is
 * recomputed from the other budgets' records, as a release does; a change is drift, kept and stated
 * with the write. Budgets whose states involve no other budget read nothing more.
 */
async function repairReleases(
  ledger: Ledger,
  day: {
    labelId: string;
    budgetId: string;
    date: string;
    now: string;
    metadata: Metadata;
    stated: Repair['stated'];
  },
  deps: BudgetsDeps,
) {
  const involved = ledger.states.filter(
    (s) => (s.settledElsewhere?.length ?? 0) > 0 || (s.settledBy.length > 0 && !s.data),
  );
  const repaired = [];
  for (const { expenseId } of involved)
    repaired.push(
      ...(await settleAcrossBudgets(day.labelId, expenseId, day.budgetId, deps.store, {
        date: day.date,
        at: day.now,
        correlationId: day.metadata.correlationId,
        by: day.budgetId,
        stated: day.stated,
      })),
    );
  // What the home budgets of the orders its unconverted actuals name, held elsewhere, say of them.
  let held = false;
  const stored = new Map(ledger.states.map((s) => [s.expenseId, s]));
  for (const order of new Set(ledger.states.flatMap((s) => (settlesOf(s) ? [] : (namesOf(s) ?? [])))))
    if (!stored.get(order)?.data)
      held = (await takeHomeHolding(day.labelId, order, day.budgetId, deps.store)) || held;
  return { repaired, held };
}

async function concludeDay(
  budget: Ledger['budget'] & {},
  raisedAlerts: Ledger['alerts'],
  refusals: Ledger['refused'],
  totals: Counters,
  states: ExpenseState[],
  duplicates: DayResult['possibleDuplicates'],
  drift: DayResult['drift'],
  date: string,
  now: string,
  metadata: Metadata,
  deps: BudgetsDeps,
): Promise<number[]> {
  const figures = figuresOf(budget, totals);
  const day = dayFigures(budget, figures, states, date);
  const raised: string[] = [];
  const thresholdsAlerted: number[] = [];
  for (const alert of alertsOf(budget, figures, day, raisedAlerts, date)) {
    const { mailed } = await deps.store.raiseAlert(
      budget.labelId,
      budget.budgetId,
      alert.alertId,
      now,
      date,
      alertEvent(budget, figures, day, alert, date),
    );
    if (mailed) continue;
    raised.push(alert.alertId);
    // Nothing of its own to mail: marked so, a later day (under the same plan) does not mail it either.
    if (alert.statedByAnother) {
      await deps.store.markAlertMailed(budget.labelId, budget.budgetId, alert.alertId);
      continue;
    }
    // The mail's identity (owner, label, budget, alert, period and plan) is its claim: a retry mails nothing twice.
    // Claimed before: by another run of the day (its event delivered twice at once), which gives the
    // claim back when it cannot send it and is retried, or by a run that stopped after sending it. So it
    // is marked mailed here only once that claim went out (see docs/design.md#budgets).
    const mail = alertMail(budget, figures, day, alert, date);
    const { claimed } = await sendBudgetMail(deps, [mail], metadata.correlationId);
    if (claimed === 0 && !(await wentOutBefore(deps, mail))) continue;
    await deps.store.markAlertMailed(budget.labelId, budget.budgetId, alert.alertId);
    if (alert.kind === 'threshold') thresholdsAlerted.push(alert.threshold);
  }
  const unconverted = unconvertedSummary(states);
  // Refused for good, counted nowhere: the owner reads of them in the report (docs/design.md#money).
  const refused = listedOf(
    [...refusals]
      .sort((a, b) => byParts([a.expenseId, a.at], [b.expenseId, b.at]))
      .map(({ expenseId, change, reason }) => ({ expenseId, change, reason })),
    refusedListed,
  );
  const previous = budget.lastResult;
  const result: DayResult = {
    labelId: budget.labelId,
    budgetId: budget.budgetId,
    date,
    owner: budget.owner,
    scope: budget.scope,
    ...totalsOf(figures),
    burnRate7: day.burnRate7,
    burnRate30: day.burnRate30,
    forecastAtEnd: day.forecastAtEnd,
    runsOutOn: day.runsOutOn,
    variance: day.variance,
    status: day.status,
    linesOver: day.linesOver,
    unconverted,
    possibleDuplicates: duplicates,
    drift,
    refused,
    alerts: raised,
    changed:
      !previous ||
      drift.length > 0 ||
      raised.length > 0 ||
      // Back on track after at risk (or over) is news too: the owner hears it recovered (docs/design.md#budgets).
      previous.status !== day.status ||
      // A new owner has had no report of it yet: the day they first hold it is reported to them.
      previous.owner.email !== budget.owner.email ||
      previous.planned !== figures.planned ||
      previous.committed !== figures.committed ||
      previous.actual !== figures.actual ||
      previous.income !== figures.income ||
      previous.unconverted.count !== unconverted.count ||
      (previous.refused?.count ?? 0) !== refused.count ||
      // Any change of the set, also beyond the listed invoices and expenses (see docs/design.md#budgets).
      previous.possibleDuplicates.fingerprint !== duplicates.fingerprint,
    reconciledAt: now,
  };
  const money = (minor: number) => ({ minor, currency: budget.currency });
  await deps.store.saveDayResult(
    result,
    outboxEntry(
      BudgetReconciled,
      {
        labelId: budget.labelId,
        budgetId: budget.budgetId,
        date,
        planned: money(figures.planned),
        committed: money(figures.committed),
        actual: money(figures.actual),
        income: money(figures.income),
        remaining: money(figures.remaining),
        usedPercent: figures.usedPercent,
        forecastAtEnd: money(day.forecastAtEnd),
        runsOutOn: day.runsOutOn,
        status: day.status,
      },
      { source, labelId: budget.labelId, correlationId: metadata.correlationId },
    ),
  );
  return thresholdsAlerted;
}
