import { createHash } from 'node:crypto';
import type { BudgetSet } from '../events/budget-set.ts';
import type { Expense } from '../events/expense-recorded.ts';
import { byParts } from '../http/cursor.ts';
import { convert, formatMoney, type Money, percentOf } from '../money/money.ts';
import type * as z from '../zod.ts';

/**
 * The budget ledger as plain data: what each expense counts towards the running totals, derived from
 * its versions. The budgets function writes with it and the management API reads with it, so the
 * totals and every view of them are computed one way (see docs/design.md#budgets).
 */

export type BudgetTerms = z.infer<typeof BudgetSet.data>;

export interface Budget extends BudgetTerms {
  labelId: string;
  /** The label's timestamp of the terms in force; older terms arriving later are ignored. */
  occurredAt: string;
  /**
   * The terms' version, `versionAt(occurredAt, eventId)`: of two terms with one label timestamp the
   * later event id is in force, as an expense's versions tie (see docs/design.md#budgets). Absent on
   * terms stored before it: those keep what arrived first at their timestamp.
   */
  termsAt?: string;
}

/** Which terms are stored: their version, or for terms stored before versions their timestamp. */
export const termsVersion = (budget: Pick<Budget, 'occurredAt' | 'termsAt'> | undefined) =>
  budget && (budget.termsAt ?? budget.occurredAt);

/** An income line (a show's settlement) is an expense-shaped entry of this kind. */
export const incomeKind = 'income';

/** The line of a tour's budget that the shows' settlements are income of (never a planned line). */
export const settlementLine = { lineId: 'show-settlement', category: 'show-settlement' } as const;

/**
 * A show's settlement as a line of a tour's budget: income (the artist's net), never spend. Shaped like
 * an expense so that the ledger keeps, orders, converts and totals it the same way.
 */
export interface Income extends Omit<Expense, 'kind' | 'settles' | 'recoupable' | 'vat'> {
  kind: typeof incomeKind;
  settles?: undefined;
  recoupable?: undefined;
  vat?: undefined;
  settlement: {
    tourId: string;
    showId: string;
    settledAt: string;
    gross: Money;
    deductions: { kind: string; description?: string; amount: Money }[];
  };
}

/** What a ledger line states: an expense, or a show's settlement (income). */
export type Entry = Expense | Income;

/**
 * One version of an expense as the ledger keeps it: every one is kept, the latest by `at` counts. An
 * expense is counted under the budget its latest recorded or amended version names: each other budget
 * of the label it was ever filed under keeps a `moved` version at that version's `at`, which it counts
 * as data that is not its own (see docs/design.md#budgets).
 */
export interface ExpenseVersion {
  expenseId: string;
  /** Orders versions: the label's timestamp, then the event id (ties broken the same way everywhere). */
  at: string;
  change: 'recorded' | 'amended' | 'voided' | 'settled' | 'moved';
  /** The whole expense, for a recorded, amended or settled version. */
  data?: Entry;
  reason?: string;
  /** For a `moved` version: the budget the expense's version of this `at` names. */
  movedTo?: string;
  receivedAt: string;
}

export const versionAt = (occurredAt: string, eventId: string) => `${occurredAt}#${eventId}`;

/** Running totals by name, in integer minor units (the budget's currency, or the named one for unconverted amounts). */
export type Counters = Record<string, number>;

/** How an expense's amount reached the budget's currency. */
export interface Conversion {
  rate: string;
  /** True when the rate was quoted the other way round (budget currency per expense currency). */
  inverse: boolean;
  date: string;
  source: string;
}

/** An expense as it stands: its latest data and void, what it counts, and which actuals settle it. */
export interface ExpenseState {
  expenseId: string;
  dataAt?: string;
  data?: Entry;
  voidAt?: string;
  voidReason?: string;
  /** Actuals (by expense id) that settle this commitment; a settled commitment is no longer committed. */
  settledBy: string[];
  /**
   * Actuals of the label's other budgets that settle this commitment (each settling as it counts in its
   * own budget): the order's money is released here while one of them does (see docs/design.md#budgets).
   * Not in this budget's versions: kept with the state, and carried over when the ledger is rebuilt.
   */
  settledElsewhere?: string[];
  /**
   * Counted actuals of this budget that name this order (settling it, or counted apart while no rate
   * converts them), absent when none: those whose recoupable share depends on whether it holds its own,
   * counted again in the write that changes that (see docs/design.md#budgets).
   */
  namedBy?: string[];
  /**
   * On a state of an order held in another budget (no data here): whether it holds its own recoupable
   * share there, as written from there (see docs/design.md#budgets). Kept as stored, as `settledElsewhere` is.
   */
  heldAtHome?: boolean;
  /** What it adds to the running totals now. */
  contribution: Counters;
  conversion?: Conversion;
  firstSeenAt: string;
  /** Held: counted (its data in force, not voided) but its budget is not known yet; counted when the budget arrives. */
  held?: boolean;
  /** Counted under this other budget since `dataAt`: its latest version names that budget. */
  movedTo?: string;
  /**
   * A show's settlement of a tour the budget's terms in force do not name (set for another tour since):
   * kept, and counted nowhere, as a voided or moved expense; the terms naming its tour again count it.
   */
  ofAnotherTour?: true;
  /** Its recoupable share while counted, in the currency it counts in. */
  recoupable?: { artistId: string; name: string; amount: Money };
  /** Optimistic lock: each write of the state raises it (0: not stored yet). */
  revision: number;
}

export const emptyState = (expenseId: string, firstSeenAt: string): ExpenseState => ({
  expenseId,
  settledBy: [],
  contribution: {},
  firstSeenAt,
  revision: 0,
});

/** The state after one more version, whatever order versions arrive in: the latest data and the latest void are kept. */
export function withVersion(state: ExpenseState, version: ExpenseVersion): ExpenseState {
  if (version.change === 'voided') {
    if (state.voidAt && state.voidAt >= version.at) return state;
    return { ...state, voidAt: version.at, voidReason: version.reason };
  }
  if (state.dataAt && state.dataAt >= version.at) return state;
  const { data: _data, movedTo: _movedTo, ...rest } = state;
  if (version.change === 'moved') return { ...rest, dataAt: version.at, movedTo: version.movedTo };
  return { ...rest, dataAt: version.at, data: version.data };
}

/** Counted: it has data and no later void, and a settlement is of the tour the budget's terms name. */
export const isCounted = (state: ExpenseState): state is ExpenseState & { data: Entry } =>
  state.data !== undefined && !voidedHere(state) && !state.ofAnotherTour;

/** A show's settlement of another tour than the one these terms name (see docs/design.md#budgets). */
const ofAnotherTour = (data: Entry | undefined, budget: Terms | undefined) =>
  data?.kind === incomeKind &&
  budget?.scope !== undefined &&
  !(budget.scope.kind === 'tour' && budget.scope.id === data.settlement.tourId);

/** Voided here: a void later than its latest data (or with no data). */
const voidedHere = (state: ExpenseState): boolean =>
  state.voidAt !== undefined && !(state.dataAt && state.dataAt >= state.voidAt);

/** Counter names: a JSON tuple, so that no line id or currency can make two names meet. */
export const counter = {
  committed: (lineId: string) => JSON.stringify(['committed', lineId]),
  actual: (lineId: string) => JSON.stringify(['actual', lineId]),
  income: (lineId: string) => JSON.stringify(['income', lineId]),
  vat: () => JSON.stringify(['vat']),
  recoupable: (artistId: string) => JSON.stringify(['recoupable', artistId]),
  /** An amount no rate converts yet, in its own currency: `kind` is the expense's, or `vat` for an actual's VAT. */
  unconverted: (currency: string, kind: string) => JSON.stringify(['unconverted', currency, kind]),
};
export const isCounterName = (name: string) => name.startsWith('["');
export const counterParts = (name: string): string[] => JSON.parse(name);
/**
 * The currency a running total's drift counts in, by its name as stated (`counterParts` joined): an
 * unconverted total's own (`unconverted USD commitment`: US cents), else the budget's (see docs/design.md#money).
 */
export const totalCurrency = (total: string, budgetCurrency: string): string =>
  total.startsWith('unconverted ') ? total.split(' ')[1] : budgetCurrency;

/**
 * The commitment an expense settles while it is counted in the budget's currency, as its `contribution`
 * says (so it is read of a state as evaluated). An actual no rate converts yet is counted apart, in its
 * own currency: until a rate lets it take the commitment's place, the commitment stays committed, or
 * the money it holds would leave the budget's totals (see docs/design.md#budgets). An actual held for
 * a budget the label never set counts nowhere, so it settles nothing: an order of another budget it
 * names stays committed there until its own budget is set and counts it.
 */
export const settlesOf = (state: ExpenseState): string | undefined =>
  isCounted(state) &&
  !state.held &&
  state.data.kind === 'actual' &&
  state.contribution[counter.unconverted(state.data.amount.currency, 'actual')] === undefined
    ? state.data.settles
    : undefined;

/**
 * The order a counted actual of this budget names, whether it settles it or not (an unconverted one
 * does not): the actual is among the order's `namedBy`.
 */
export const namesOf = (state: ExpenseState): string | undefined =>
  isCounted(state) && !state.held && state.data.kind === 'actual' ? state.data.settles : undefined;

/** Rates by date: `{"GBP/USD": "1.2534"}` = 1.2534 USD per GBP. */
export type RateTable = (date: string) => Record<string, string> | undefined;

/** `money` in the budget's currency: as it is, or at `conversion`; undefined when it needs a rate it has not. */
export const inBudgetCurrency = (
  money: Money,
  currency: string,
  conversion: Conversion | undefined,
): number | undefined =>
  money.currency === currency
    ? money.minor
    : conversion && convert(money, currency, conversion.rate, conversion.inverse).minor;

/**
 * What an expense is counted under: its budget's currency, since when (the label's timestamp) the terms
 * hold, and what they are for (a tour budget counts the settlements of its tour's shows only).
 */
export type Terms = Pick<Budget, 'currency'> & { occurredAt?: string; scope?: Budget['scope'] };

/**
 * The currency the label's own rate on an expense converts into: the one it names, else (a version
 * stored before rates named it, or written while its budget was unknown) the budget's currency if the
 * terms in force are not newer than the version at `at`, as the label sent it under them; else unknown.
 */
export function rateTarget(expense: Entry, at: string | undefined, terms: Terms): string | undefined {
  if (!expense.rate) return undefined;
  if (expense.rate.to) return expense.rate.to;
  const sentAt = at?.split('#')[0];
  return sentAt && terms.occurredAt && terms.occurredAt <= sentAt ? terms.currency : undefined;
}

/**
 * The version with its carried rate naming both currencies (`from`, `to`) as far as `terms` tell, so
 * that it keeps saying what it converts into when the budget's currency changes later.
 */
export function withRateNamed(version: ExpenseVersion, terms: Terms | undefined): ExpenseVersion {
  const data = version.data;
  if (!data?.rate || data.rate.to || !terms) return version;
  const to = rateTarget(data, version.at, terms);
  if (!to || to === data.amount.currency) return version;
  return { ...version, data: { ...data, rate: { ...data.rate, from: data.amount.currency, to } } as Entry };
}

/**
 * The label's own rate when it converts the expense's currency into the budget's current one; a rate
 * into another currency (the budget's before it changed) is not used: the expense is converted as one
 * without a carried rate is (see docs/design.md#money).
 */
export function carriedConversion(
  expense: Entry,
  at: string | undefined,
  terms: Terms,
): Conversion | undefined {
  const rate = expense.rate;
  if (!rate || (rate.from && rate.from !== expense.amount.currency)) return undefined;
  if (rateTarget(expense, at, terms) !== terms.currency) return undefined;
  return { rate: rate.value, inverse: false, date: rate.date, source: rate.source };
}

/** The rate for one expense: the one it carries into the budget's currency, else the manager's table for its date, else none. */
export function conversionOf(
  expense: Entry,
  at: string | undefined,
  terms: Terms,
  rates: RateTable,
): Conversion | undefined {
  const carried = carriedConversion(expense, at, terms);
  if (carried) return carried;
  const currency = terms.currency;
  const table = rates(expense.date);
  const from = expense.amount.currency;
  const direct = table?.[`${from}/${currency}`];
  if (direct) return { rate: direct, inverse: false, date: expense.date, source: 'rate table' };
  const inverse = table?.[`${currency}/${from}`];
  if (inverse) return { rate: inverse, inverse: true, date: expense.date, source: 'rate table' };
  return undefined;
}

/**
 * A purchase order an invoice settles, of this budget or another: the invoice counts its money, so the
 * order counts nothing (nor its recoupable share), converted or not.
 */
export const isSettledOrder = (state: ExpenseState): boolean =>
  state.data?.kind === 'commitment' &&
  (state.settledBy.length > 0 || (state.settledElsewhere?.length ?? 0) > 0);

/**
 * What one expense counts, in the budget's currency: committed (an open purchase order), actual (an
 * invoice), VAT apart, the recoupable share per artist; income apart. An amount with no rate counts
 * only under `unconverted`, in its own currency, never as if it were the budget's.
 */
export function contributionOf(
  state: ExpenseState,
  budget: Terms | undefined,
  rates: RateTable,
): { contribution: Counters; conversion?: Conversion } {
  if (!budget || !isCounted(state)) return { contribution: {} };
  const expense = state.data;
  const kind = expense.kind;
  const settled = isSettledOrder(state);
  const counters: Counters = {};
  const add = (name: string, minor: number) => {
    if (minor !== 0) counters[name] = (counters[name] ?? 0) + minor;
  };
  const same = expense.amount.currency === budget.currency;
  const conversion = same ? undefined : conversionOf(expense, state.dataAt, budget, rates);
  const home = (money: Money): number => inBudgetCurrency(money, budget.currency, conversion)!;
  if (!same && !conversion) {
    if (!settled) add(counter.unconverted(expense.amount.currency, kind), expense.amount.minor);
    // Its VAT is apart from the net, as converted VAT is (an actual's only), in its own currency too.
    if (kind === 'actual' && expense.vat)
      add(counter.unconverted(expense.vat.currency, 'vat'), expense.vat.minor);
    return { contribution: counters };
  }
  const net = home(expense.amount);
  if (kind === incomeKind) add(counter.income(expense.lineId), net);
  else if (kind === 'actual') add(counter.actual(expense.lineId), net);
  else if (!settled) add(counter.committed(expense.lineId), net);
  if (kind === 'actual' && expense.vat) add(counter.vat(), home(expense.vat));
  if (expense.recoupable && kind !== incomeKind && !settled)
    add(
      counter.recoupable(expense.recoupable.artist.artistId),
      percentOf(net, expense.recoupable.sharePercent),
    );
  return { contribution: counters, ...(conversion ? { conversion } : {}) };
}

/**
 * Whether this state of an order says it holds its own recoupable share, or undefined when it says
 * nothing (the order is then taken to hold it). A state voided here holds none, with data or without
 * (a void written onto the state the order left when it moved to another budget). A state with this
 * budget's data decides (the order counted here). One without it is of an order the budget does not
 * hold (moved to another budget, or kept only to record which invoices of this budget settle an order
 * of another): while an invoice of this budget settles it (`settledBy`), the order is released where it
 * is held and holds none; else what the order's own budget wrote of it (`heldAtHome`), if anything
 * (see docs/design.md#budgets).
 */
export const holdsOwnShare = (state: ExpenseState): boolean | undefined =>
  voidedHere(state)
    ? false
    : state.data !== undefined
      ? state.recoupable !== undefined
      : state.settledBy.length > 0
        ? false
        : state.heldAtHome;

/**
 * Whether an order of the budget still holds its own recoupable share, as these states of the ledger
 * say (holdsOwnShare: an order the ledger read has not, or whose state says nothing, is taken to hold
 * it): an unconverted invoice naming it has none of its own only while it does (see docs/design.md#budgets).
 */
export function orderHoldsShare(states: Iterable<ExpenseState>): (orderId: string) => boolean {
  const holds = new Map<string, boolean>();
  for (const state of states) {
    const own = holdsOwnShare(state);
    if (own !== undefined) holds.set(state.expenseId, own);
  }
  return (orderId) => holds.get(orderId) ?? true;
}

/**
 * The state with what it counts under `budget` (absent: held) at these rates. `holdsShare` says
 * whether the order an unconverted invoice names still holds its recoupable share (orderHoldsShare of
 * the budget's ledger); without it the order is taken to hold it.
 */
export function evaluate(
  state: ExpenseState,
  budget: Terms | undefined,
  rates: RateTable,
  holdsShare: (orderId: string) => boolean = () => true,
): ExpenseState {
  const { conversion: _c, held: _h, recoupable: _r, ofAnotherTour: _t, ...unscoped } = state;
  // A settlement of a tour the terms in force do not name counts nowhere, as a voided expense does.
  const rest = ofAnotherTour(state.data, budget) ? { ...unscoped, ofAnotherTour: true as const } : unscoped;
  const { contribution, conversion } = contributionOf(rest, budget, rates);
  const share = state.data?.recoupable;
  const recoupableMinor = share ? contribution[counter.recoupable(share.artist.artistId)] : undefined;
  // No rate yet: the share is counted apart in the expense's own currency, as its amount is; but an
  // actual that names an order leaves the order committed (settlesOf), and the order's share with it,
  // so it has none while the order still holds that share: not once another invoice settled the order
  // or the label voided it, or the money would be recoupable nowhere (see docs/design.md#budgets).
  const data = state.data;
  const unconvertedShare =
    share &&
    data &&
    budget &&
    isCounted(rest) &&
    !recoupableMinor &&
    data.kind !== incomeKind &&
    !(data.kind === 'actual' && data.settles && holdsShare(data.settles))
      ? contribution[counter.unconverted(data.amount.currency, data.kind)] !== undefined
        ? { minor: percentOf(data.amount.minor, share.sharePercent), currency: data.amount.currency }
        : undefined
      : undefined;
  return {
    ...rest,
    contribution,
    ...(conversion ? { conversion } : {}),
    // An expense that moved to another budget is that budget's to count, not held here; one the
    // label voided (or whose data has not come) waits for nothing (see docs/design.md#budgets).
    ...(budget || state.movedTo || !isCounted(rest) ? {} : { held: true }),
    ...(share && (recoupableMinor || unconvertedShare?.minor)
      ? {
          recoupable: {
            artistId: share.artist.artistId,
            name: share.artist.name,
            amount: unconvertedShare?.minor
              ? unconvertedShare
              : { minor: recoupableMinor!, currency: budget?.currency ?? '' },
          },
        }
      : {}),
  };
}

/**
 * Equal as JSON: the same attributes (one left undefined counts as absent, as the table drops it) in
 * any order, the same values. Compared in place rather than through sorted JSON strings: the daily
 * reconciliation compares every expense of every budget.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJson(item ?? null, b[i] ?? null));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const names = Object.keys(x).filter((name) => x[name] !== undefined);
  return (
    names.length === Object.keys(y).filter((name) => y[name] !== undefined).length &&
    names.every((name) => sameJson(x[name], y[name]))
  );
}

/** The same state apart from its revision. */
export const sameState = (a: ExpenseState, b: ExpenseState) =>
  sameJson({ ...a, revision: 0 }, { ...b, revision: 0 });

/** b - a, counter by counter, without zeros. */
export function difference(a: Counters, b: Counters): Counters {
  const delta: Counters = {};
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = (b[name] ?? 0) - (a[name] ?? 0);
    if (d !== 0) delta[name] = d;
  }
  return delta;
}

export function sum(...all: Counters[]): Counters {
  const total: Counters = {};
  for (const counters of all)
    for (const [name, value] of Object.entries(counters))
      if (value !== 0) total[name] = (total[name] ?? 0) + value;
  for (const name of Object.keys(total)) if (total[name] === 0) delete total[name];
  return total;
}

export const sameCounters = (a: Counters, b: Counters) => Object.keys(difference(a, b)).length === 0;

/**
 * The largest running total kept, in minor units: the largest integer a number holds exactly, as each
 * amount is (`Minor`). A write that would take any total past it is refused (see docs/design.md#money).
 */
export const totalLimit = Number.MAX_SAFE_INTEGER;

/**
 * A figure worked out exactly (a sum of totals, the forecast at the period's end) as it is stated: past
 * the largest total kept it is stated as that total (below its negative, as its negative), as no amount
 * may pass it (see docs/design.md#money).
 */
export const statedTotal = (exact: bigint): number =>
  exact > BigInt(totalLimit) ? totalLimit : exact < -BigInt(totalLimit) ? -totalLimit : Number(exact);

/** Exactly, as one line's totals each hold within the largest total kept but their sum may not. */
const exactSum = (values: number[]) => values.reduce((total, value) => total + BigInt(value), 0n);

/**
 * The budget's figures from its counters, in its currency. Each sum of totals (a line's spend, the
 * budget's plan, committed, actual, income, used and remaining) is worked out exactly and stated
 * (`statedTotal`); what is over, the share used and the thresholds it reaches are of the exact sums.
 */
export function figuresOf(budget: Budget, totals: Counters) {
  const lineIds = new Set(budget.lines.map((line) => line.lineId));
  const byLine = new Map<string, { committed: number; actual: number; income: number }>();
  const line = (lineId: string) => {
    let figures = byLine.get(lineId);
    if (!figures) {
      figures = { committed: 0, actual: 0, income: 0 };
      byLine.set(lineId, figures);
    }
    return figures;
  };
  for (const l of budget.lines) line(l.lineId);
  let vat = 0;
  const recoupable: Record<string, number> = {};
  const unconverted: Record<string, Record<string, number>> = {};
  for (const [name, value] of Object.entries(totals)) {
    const [kind, a, b] = counterParts(name);
    if (kind === 'committed' || kind === 'actual' || kind === 'income') line(a)[kind] += value;
    else if (kind === 'vat') vat += value;
    else if (kind === 'recoupable') recoupable[a] = (recoupable[a] ?? 0) + value;
    else if (kind === 'unconverted')
      unconverted[a] = { ...unconverted[a], [b]: (unconverted[a]?.[b] ?? 0) + value };
  }
  const lines = [...byLine].map(([lineId, figures]) => {
    const planned = budget.lines.find((l) => l.lineId === lineId)?.planned.minor ?? 0;
    const spent = exactSum([figures.committed, figures.actual]);
    return {
      lineId,
      planned,
      ...figures,
      spent: statedTotal(spent),
      planned_: lineIds.has(lineId),
      over: spent > BigInt(planned),
    };
  });
  const planned = exactSum(budget.lines.map((l) => l.planned.minor));
  const committed = exactSum(lines.map((l) => l.committed));
  const actual = exactSum(lines.map((l) => l.actual));
  const income = exactSum(lines.map((l) => l.income));
  const used = committed + actual;
  return {
    currency: budget.currency,
    planned: statedTotal(planned),
    committed: statedTotal(committed),
    actual: statedTotal(actual),
    income: statedTotal(income),
    used: statedTotal(used),
    remaining: statedTotal(planned + income - used),
    // Rounded down to a tenth, of the exact sums: 79.96 % is 79.9, never the 80 % threshold it has not reached.
    usedPercent: planned > 0n ? Number((used * 1000n) / planned) / 10 : used > 0n ? 100 : 0,
    // Of the exact sums: a plan past the largest total is stated as it, as may be what is used below it.
    thresholdsReached: [...new Set(budget.thresholds)]
      .sort((a, b) => a - b)
      .filter((threshold) => used > 0n && used * 100n >= BigInt(threshold) * planned),
    vat,
    recoupable,
    unconverted,
    lines: lines.map(({ planned_, ...rest }) => ({ ...rest, inPlan: planned_ })),
  };
}
export type Figures = ReturnType<typeof figuresOf>;

/**
 * One currency's amounts that no rate converts yet (`Figures['unconverted']`), each kind named and
 * VAT apart from the net: `100.00 GBP actual, VAT 20.00 GBP`.
 */
export const unconvertedText = (currency: string, byKind: Record<string, number>): string =>
  Object.entries(byKind)
    .sort(([a], [b]) => Number(a === 'vat') - Number(b === 'vat') || a.localeCompare(b))
    .map(([kind, minor]) =>
      kind === 'vat'
        ? `VAT ${formatMoney({ minor, currency })}`
        : `${formatMoney({ minor, currency })} ${kind}`,
    )
    .join(', ');

/** The budget-wide totals of its figures (no lines), as the day's result and the budget view show them. */
export const totalsOf = (figures: Figures) => ({
  currency: figures.currency,
  planned: figures.planned,
  committed: figures.committed,
  actual: figures.actual,
  income: figures.income,
  remaining: figures.remaining,
  usedPercent: figures.usedPercent,
  vat: figures.vat,
});

/** What makes two expenses the same vendor invoice: vendor and invoice number, trimmed, case ignored. */
export const invoiceOf = (vendor: string, invoiceNumber: string) => ({
  vendor: vendor.trim().toLowerCase(),
  invoiceNumber: invoiceNumber.trim().toLowerCase(),
});

/** One string per vendor invoice: two expenses carry the same invoice when theirs are equal. */
export const invoiceId = (vendor: string, invoiceNumber: string) =>
  JSON.stringify(Object.values(invoiceOf(vendor, invoiceNumber)));

/** A vendor invoice found under expenses of more than one of a label's budgets. */
export interface FlaggedInvoice {
  vendor: string;
  invoiceNumber: string;
  expenses: { budgetId: string; expenseId: string }[];
}

/**
 * The expenses an invoice's flag names, of the invoice's filings: those that carry it, by budget, then expense.
 */
export const carryingExpenses = (filings: { budgetId: string; expenseId: string; carries: boolean }[]) =>
  filings
    .filter((f) => f.carries)
    .map(({ budgetId, expenseId }) => ({ budgetId, expenseId }))
    .sort((a, b) => a.budgetId.localeCompare(b.budgetId) || a.expenseId.localeCompare(b.expenseId));

/** A vendor invoice carried by more than one expense: here (`expenseIds`), or also in other budgets of the label. */
export interface PossibleDuplicate {
  vendor: string;
  invoiceNumber: string;
  expenseIds: string[];
  /** The same invoice under expenses of the label's other budgets. */
  elsewhere?: { budgetId: string; expenseId: string }[];
}

/**
 * Expenses of the same vendor invoice under more than one expense id: possible duplicates, counted
 * but flagged. Within the budget from its states; across the label's budgets from the invoices
 * flagged at intake (`flagged`), as long as one of this budget's counted expenses still carries it.
 * By vendor and invoice number as compared (`invoiceOf`), by code units as the budget's view pages them
 * (`byParts`), each invoice's expenses by id: the same set lists the same way every day, and in the view.
 */
export function possibleDuplicates(
  states: ExpenseState[],
  flagged: FlaggedInvoice[] = [],
  budgetId = '',
): PossibleDuplicate[] {
  const byInvoice = new Map<string, PossibleDuplicate>();
  for (const state of states) {
    if (!isCounted(state) || !state.data.invoiceNumber) continue;
    const key = invoiceId(state.data.vendor, state.data.invoiceNumber);
    const group = byInvoice.get(key) ?? {
      vendor: state.data.vendor,
      invoiceNumber: state.data.invoiceNumber,
      expenseIds: [],
    };
    group.expenseIds.push(state.expenseId);
    byInvoice.set(key, group);
  }
  for (const invoice of flagged) {
    const group = byInvoice.get(invoiceId(invoice.vendor, invoice.invoiceNumber));
    const elsewhere = invoice.expenses
      .filter((e) => e.budgetId !== budgetId)
      .sort((a, b) => byParts([a.budgetId, a.expenseId], [b.budgetId, b.expenseId]));
    if (group && elsewhere.length > 0) group.elsewhere = elsewhere;
  }
  // In the order the budget's view pages them (by invoice as compared, by code units): one order for both.
  const compared = (group: PossibleDuplicate) => Object.values(invoiceOf(group.vendor, group.invoiceNumber));
  return [...byInvoice.values()]
    .filter((group) => group.expenseIds.length + (group.elsewhere?.length ?? 0) > 1)
    .sort((a, b) => byParts(compared(a), compared(b)))
    .map((group) => ({ ...group, expenseIds: group.expenseIds.sort() }));
}

/**
 * A list a day's result keeps within its one DynamoDB item (400 KB at most): counted whole, the first
 * of it listed, and how many more there are. The budget's view lists every one, a page at a time (see docs/design.md#budgets).
 */
export interface Listed<T> {
  count: number;
  first: T[];
  /** How many more there are than `first` lists. */
  more: number;
}

/** The first `listed` of `all`, and how many there are. */
export function listedOf<T>(all: T[], listed: number): Listed<T> {
  const first = all.slice(0, listed);
  return { count: all.length, first, more: all.length - first.length };
}

/**
 * How many possibly duplicated invoices a day's result (and so the owner's report) lists, and how many
 * expenses of each (here first, then elsewhere); the rest are counted. An invoice number a label sends
 * with thousands of expenses, or thousands of invoices sent twice, would otherwise pass the item's 400 KB:
 * listed, with ids, vendor and number as long as a label may send them, they stay under 70 KB.
 */
export const duplicatesListed = 20;
export const duplicateExpensesListed = 10;

/** One invoice as a day's result lists it: its first expenses, `more` counting the rest (here and elsewhere). */
export interface ListedDuplicate extends PossibleDuplicate {
  more: number;
}

/** A day's possible duplicates: counted, the first listed, and a fingerprint of them all. */
export interface DuplicatesSummary extends Listed<ListedDuplicate> {
  /**
   * Of every invoice and every expense carrying it, listed or not: two days' sets differ exactly when
   * their fingerprints do, so a day's `changed` sees a change beyond the listed ones at the same count.
   */
  fingerprint: string;
}

/** The same for the same set, however it was ordered when kept. */
const fingerprintOf = (duplicates: PossibleDuplicate[]) =>
  createHash('sha256')
    .update(
      JSON.stringify(
        duplicates
          .map((d) => [
            invoiceId(d.vendor, d.invoiceNumber),
            [...d.expenseIds].sort(),
            (d.elsewhere ?? []).map((e) => JSON.stringify([e.budgetId, e.expenseId])).sort(),
          ])
          .sort(([a], [b]) => byParts([a as string], [b as string])),
      ),
    )
    .digest('base64url');

/** The possible duplicates as a day's result keeps them: the first `listed` invoices, each with its first `perInvoice` expenses. */
export function duplicatesSummary(
  duplicates: PossibleDuplicate[],
  listed = duplicatesListed,
  perInvoice = duplicateExpensesListed,
): DuplicatesSummary {
  const { count, first, more } = listedOf(duplicates, listed);
  return {
    count,
    first: first.map(({ elsewhere = [], ...invoice }) => {
      const expenseIds = invoice.expenseIds.slice(0, perInvoice);
      const others = elsewhere.slice(0, perInvoice - expenseIds.length);
      return {
        ...invoice,
        expenseIds,
        ...(others.length > 0 ? { elsewhere: others } : {}),
        more: invoice.expenseIds.length + elsewhere.length - expenseIds.length - others.length,
      };
    }),
    more,
    fingerprint: fingerprintOf(duplicates),
  };
}

/** An expense counted apart because no rate converts it yet: its net, and its VAT apart when it counts one. */
export interface UnconvertedExpense {
  expenseId: string;
  date: string;
  amount: Money;
  vat?: Money;
  vendor: string;
}

/** Expenses counted apart because no rate converts them yet. */
export const unconvertedExpenses = (states: ExpenseState[]): UnconvertedExpense[] =>
  states
    .filter((state) =>
      Object.keys(state.contribution).some((name) => counterParts(name)[0] === 'unconverted'),
    )
    .map((state) => {
      const vat = state.data?.vat;
      return {
        expenseId: state.expenseId,
        date: state.data?.date ?? '',
        amount: state.data?.amount as Money,
        ...(vat && state.contribution[counter.unconverted(vat.currency, 'vat')] !== undefined ? { vat } : {}),
        vendor: state.data?.vendor ?? '',
      };
    });

/**
 * How many of a budget's unconverted expenses its day's result and the owner's report list. The rest
 * are counted and summed per currency, not listed: a day's result is one item (DynamoDB keeps at most
 * 400 KB), and a budget may have thousands of expenses no rate converts (see docs/design.md#budgets).
 */
export const unconvertedListed = 20;

/** How many of a budget's versions refused for good its day's result and the owner's report list; the rest are counted. */
export const refusedListed = 20;

/**
 * A day's expenses that need a rate: how many, how much per currency, and the first
 * `unconvertedListed` of them, the longest waiting first (by date, then id, by code units as the view
 * pages them: `byParts`).
 */
export interface UnconvertedSummary extends Listed<UnconvertedExpense> {
  /** Per currency: the expenses with an amount in it, and their sums by kind (VAT as `vat`), in minor units. */
  byCurrency: Record<string, { count: number; amounts: Record<string, number> }>;
}

/** The unconverted expenses of these states, counted and summed whole, the first `listed` of them listed. */
export function unconvertedSummary(states: ExpenseState[], listed = unconvertedListed): UnconvertedSummary {
  const byCurrency: UnconvertedSummary['byCurrency'] = {};
  for (const state of states) {
    const currencies = new Set<string>();
    for (const [name, minor] of Object.entries(state.contribution)) {
      const [kind, currency, of] = counterParts(name);
      if (kind !== 'unconverted') continue;
      byCurrency[currency] ??= { count: 0, amounts: {} };
      const entry = byCurrency[currency];
      entry.amounts[of] = (entry.amounts[of] ?? 0) + minor;
      currencies.add(currency);
    }
    for (const currency of currencies) byCurrency[currency].count++;
  }
  const all = unconvertedExpenses(states).sort((a, b) =>
    byParts([a.date, a.expenseId], [b.date, b.expenseId]),
  );
  return { ...listedOf(all, listed), byCurrency };
}
