import { raisedFor } from '#shared/budgets/alerts.ts';
import {
  type Entry,
  type ExpenseState,
  type ExpenseVersion,
  figuresOf,
  inBudgetCurrency,
  incomeKind,
  invoiceOf,
  isCounted,
  isSettledOrder,
  possibleDuplicates,
  settlementLine,
  totalsOf,
  type UnconvertedExpense,
  unconvertedExpenses,
  unconvertedListed,
} from '#shared/budgets/ledger.ts';
import { toCsv } from '#shared/csv.ts';
import { dateIn } from '#shared/days.ts';
import { type BudgetReads, labelBudgetRow, labelBudgetsPartition } from '#shared/db/budget-reads.ts';
import type { DriftRecord, Ledger, Refusal, StoredBudget } from '#shared/db/budgets.ts';
import type { FxRates } from '#shared/db/fx-rates.ts';
import type { LabelExistence } from '#shared/db/labels.ts';
import { IsoDate } from '#shared/events/fields.ts';
import { Rate } from '#shared/events/rate.ts';
import { failure } from '#shared/http/docs.ts';
import {
  bodyOf,
  byParts,
  Cursor,
  csvOrJsonAccept,
  csvPage,
  cursorAfter,
  cursorChecked,
  type HttpEvent,
  type HttpResult,
  header,
  json,
  notFound,
  pageLimit,
  pageOf,
  pathParameterOf,
  prefersCsv,
  queryOf,
  rowAfter,
  ValidationError,
} from '#shared/http/index.ts';
import {
  type ManagementRoute,
  noLabel,
  noLabelOr,
  notFoundUnder,
  requireLabel,
} from '#shared/http/manager-api.ts';
import { isCurrency } from '#shared/money/money.ts';
import { normaliseEmail } from '#shared/outlets.ts';
import * as z from '#shared/zod.ts';

/** Budgets, their ledgers and recoupable spend under `/labels/{labelId}/...`, and the manager's rate table `/fx-rates/{date}`. */

export interface BudgetRoutesDeps {
  /** What the office uses of the budgets store: it reads budgets and puts exchange rates, and writes no ledger. */
  budgets: BudgetReads & FxRates;
  /** Asked only when a route under a label finds nothing: is it the label that is not there? */
  labels: LabelExistence;
  now: () => Date;
  /** The manager's IANA time zone: the day a ledger row's change happened is theirs. */
  timeZone: string;
}

/**
 * A page of the ledger is at most `limit` rows, 400 by default and at most: the longest row a ledger can
 * hold (every text at its schema's limit, each character escaped as JSON writes a control character)
 * is under 12 KB, so a page stays under 5 MB, within the 6 MB a Lambda answer may carry.
 */
export const ledgerPageLimit = 400;

const LedgerQuery = z
  .strictObject({
    from: z.optional(IsoDate),
    to: z.optional(IsoDate),
    limit: pageLimit(ledgerPageLimit, ledgerPageLimit),
    // A row's expense id (128 characters at most) and version (its time and event id).
    cursor: Cursor,
  })
  .check(
    z.refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be before from', path: ['to'] }),
  );

/**
 * A budget's unconverted expenses, its refused versions, its possible duplicates and its drift history
 * grow with the label's expenses, its other budgets and its repairs, so each is answered a page at a
 * time (`GET .../unconverted`, `.../refused`, `.../possible-duplicates`, `.../drift-history`, paged as
 * the ledger is), and the budget's view holds the first page of each with the cursor of the next (see
 * docs/design.md#budgets). A page is at most `limit` rows, 1,000 at most: each row is bounded by its
 * schemas, every text at its limit in characters JSON writes as six bytes. The longest unconverted row
 * (an expense id of 128 characters and a vendor of 200, two amounts) is under 2.2 KB; the longest refusal
 * (the expense id, its version, a total and a reason each naming an artist id of 128 characters) under
 * 3 KB; the longest possible duplicate (one expense carrying an invoice another carries: a vendor of 200,
 * an invoice number of 100, a budget id and an expense id of 128) under 3.5 KB; the longest drift row (one
 * running total a repair set right: its date and time, the budget that repaired it and the total, each
 * naming an id of 128 characters, two amounts) under 2 KB. So a page stays under 3.5 MB, within the 6 MB
 * a Lambda answer may carry. 100 by default, and in the view.
 */
export const budgetListLimit = 1_000;
export const budgetListUsual = 100;

const BudgetListQuery = z.strictObject({
  limit: pageLimit(budgetListLimit, budgetListUsual),
  // The row's parts (`partsOf`): at most an invoice's vendor and number, a budget id and an expense id.
  cursor: Cursor,
});

/**
 * A label's budgets grow with its releases, tours and campaigns, so they are answered a page at a time
 * too, as the budget's lists are: at most `limit` budgets a page, 1,000 at most, 100 by default. The
 * longest budget as listed (its id and scope id of 128 characters and its owner's name of 200, each a
 * character JSON writes as six bytes, an address of 254) is under 4 KB, so a page stays under 4 MB.
 */
export const labelBudgetsLimit = 1_000;
export const labelBudgetsUsual = 100;

const LabelBudgetsQuery = z.strictObject({
  scope: z.optional(z.enum(['release', 'tour', 'campaign'])),
  scopeId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  limit: pageLimit(labelBudgetsLimit, labelBudgetsUsual),
  // A budget's scope kind, scope id and budget id (`labelBudgetRow`).
  cursor: Cursor,
});

/**
 * A list of the budget's view, answered a page at a time on its own route (`path`): `name` is its key
 * in the view and its cursor's, `partsOf` its order, each row named by its parts; `shown` is what the
 * answer holds of a row (the row itself unless given).
 */
interface BudgetListing<T, N extends string = string, R = T> {
  name: N;
  path: string;
  /** The order of its rows, as the API document states it. */
  order: string;
  parts: number;
  partsOf: (row: T) => string[];
  shown?: (row: T) => R;
}

/** The unconverted expenses by expense id; a cursor names the expense a page was taken after. */
const unconvertedListing: BudgetListing<UnconvertedExpense, 'unconverted'> = {
  name: 'unconverted',
  path: 'unconverted',
  order: 'by expense id',
  parts: 1,
  partsOf: (row) => [row.expenseId],
};
/** The refused versions by expense id, then version; a cursor names the version a page was taken after. */
const refusedListing: BudgetListing<Refusal, 'refused'> = {
  name: 'refused',
  path: 'refused',
  order: 'by expense id, then version',
  parts: 2,
  partsOf: (row) => [row.expenseId, row.at],
};

/** One expense carrying a vendor invoice that another expense carries, here or in another budget of the label. */
interface DuplicateRow {
  vendor: string;
  invoiceNumber: string;
  budgetId: string;
  expenseId: string;
}

/**
 * The possible duplicates, one row per expense: an invoice carried by every expense of a label's import
 * sent twice, or across all its budgets, would make one row of it grow without bound. By invoice (its
 * vendor and number as compared, `invoiceOf`), then budget and expense id.
 */
const duplicatesListing: BudgetListing<DuplicateRow, 'possibleDuplicates'> = {
  name: 'possibleDuplicates',
  path: 'possible-duplicates',
  order:
    'one row per expense carrying an invoice another carries, by invoice (its vendor and number as compared: trimmed, in lower case), then budget id and expense id',
  parts: 4,
  partsOf: (row) => [...Object.values(invoiceOf(row.vendor, row.invoiceNumber)), row.budgetId, row.expenseId],
};

const duplicateRows = (ledger: Ledger, budgetId: string): DuplicateRow[] =>
  possibleDuplicates(ledger.states, ledger.flagged, budgetId).flatMap(
    ({ vendor, invoiceNumber, expenseIds, elsewhere = [] }) => [
      ...expenseIds.map((expenseId) => ({ vendor, invoiceNumber, budgetId, expenseId })),
      ...elsewhere.map((e) => ({ vendor, invoiceNumber, budgetId: e.budgetId, expenseId: e.expenseId })),
    ],
  );

/** One running total a repair set right: what it held (`was`) and what the ledger sums to (`ledger`). */
interface DriftRow {
  date: string;
  at: string;
  /** The budget whose reconciliation repaired it, when not this one's. */
  by?: string;
  total: string;
  was: number;
  ledger: number;
}

/**
 * The drift history, one row per total repaired (a repair sets right every total of a budget that
 * differs, so one drift record may hold thousands), by date, time and total. Two repairs of one instant
 * may state the same total alike (the record's own key, its expense and event, is not read back): such
 * rows are alike in every part, so each is named by its place among them (`alike`, 1 for the first), and
 * a cursor after the second of three alike rows gives the third, and any written alike since.
 */
const driftListing: BudgetListing<{ row: DriftRow; alike: number }, 'driftHistory', DriftRow> = {
  name: 'driftHistory',
  path: 'drift-history',
  order: 'one row per running total a repair set right, by date, time and total',
  parts: 5,
  // `alike` of a fixed width, so that the tenth alike row comes after the ninth.
  partsOf: ({ row, alike }) => [
    row.date,
    row.at,
    row.total,
    JSON.stringify([row.by ?? null, row.was, row.ledger]),
    String(alike).padStart(10, '0'),
  ],
  shown: ({ row }) => row,
};

function driftRows(drift: readonly DriftRecord[]) {
  const seen = new Map<string, number>();
  return drift.flatMap(({ date, at, by, differences }) =>
    differences.map((difference) => {
      // Named one by one: a map read back from DynamoDB keeps no order of its own.
      const { total, was, ledger: sum } = difference;
      const row: DriftRow = { date, at, ...(by ? { by } : {}), total, was, ledger: sum };
      const key = JSON.stringify([row.date, row.at, row.total, row.by, row.was, row.ledger]);
      const alike = (seen.get(key) ?? 0) + 1;
      seen.set(key, alike);
      return { row, alike };
    }),
  );
}

/** A page of a list as its route and the view answer it: the rows as shown, and the cursor of the next. */
function pageOfList<T, N extends string, R>(
  listing: BudgetListing<T, N, R>,
  rows: readonly T[],
  query: { limit: number; cursor?: string | undefined },
): { rows: R[]; nextCursor?: string } {
  const page = pageOf(listing, rows, query);
  return { ...page, rows: listing.shown ? page.rows.map(listing.shown) : (page.rows as unknown as R[]) };
}

const pair = /^([A-Z]{3})\/([A-Z]{3})$/;
/** How an amount reaches a budget's currency, as the API document states it. */
const conversionRule =
  'The body is `{"rates": {"GBP/USD": "1.2534"}}`: 1.2534 USD per GBP; the pair serves both directions. It replaces the rates kept for that date, so send every pair of the date: a pair left out is no longer a rate there, and an expense it converted waits for a rate again from the next reconciliation. An expense in another currency than its budget\'s is converted at the rate it carries while that rate converts into the budget\'s currency (its `to`), else at the rates of its own date, with integer arithmetic: the result is rounded half-even on the minor unit of the budget\'s currency (a tie goes to the even minor unit: 12.5 cents become 12, 13.5 cents become 14). An expense with no rate for its date stays unconverted, shown apart, until a rate is put; the next daily reconciliation (07:00 in MANAGER_TIME_ZONE) then counts it, or the label\'s next amendment of it, not this call, which writes no ledger. ' +
  // A day's result is one item: the report lists only the first of them (see docs/design.md#budgets).
  `The next report lists the first ${unconvertedListed} of a budget that need a rate (the longest waiting: by date, then id) and counts the rest, with their sums per currency; the budget's view lists every one, a page at a time.`;

/** Closed, as every JSON body of the manager's API is (docs/design.md#routes-and-auth). */
export const RatesBody = z.strictObject({
  rates: z.record(z.string(), Rate).check(
    z.superRefine((rates, context) => {
      for (const name of Object.keys(rates)) {
        const match = pair.exec(name);
        if (!match || !isCurrency(match[1]) || !isCurrency(match[2]))
          context.addIssue({
            code: 'custom',
            path: [name],
            message: 'must be a pair of two ISO 4217 codes such as GBP/USD',
          });
        // A currency's rate to itself is 1: named apart from a pair that is no pair of codes.
        else if (match[1] === match[2])
          context.addIssue({ code: 'custom', path: [name], message: 'must be two different currencies' });
        // A pair serves both directions: two rates for one pair could disagree.
        else if (`${match[2]}/${match[1]}` in rates && match[1] > match[2])
          context.addIssue({
            code: 'custom',
            path: [name],
            message: `serves both directions: give ${match[2]}/${match[1]} or ${name}, not both`,
          });
      }
    }),
    z.refine(
      (rates) => Object.keys(rates).length > 0 && Object.keys(rates).length <= 500,
      'must hold between 1 and 500 pairs',
    ),
  ),
});

/** What PUT and GET /fx-rates/{date} answer: the rates kept, with the date they are for. */
const RatesView = z.lazy(() => z.object({ date: IsoDate, rates: RatesBody.shape.rates }));

/*
 * The response schemas below are the API document's alone: each is built inside the route's `z.lazy`, when
 * the document is, never when the office function loads (docs/design.md#bundles), so the parts two of them
 * share are functions.
 */

/** `summary`'s fields: what a budget is in the label's list, and the start of its view. */
const budgetSummaryView = () => ({
  budgetId: z.string(),
  scope: z.object({ kind: z.string(), id: z.string() }),
  currency: z.string(),
  period: z.object({ start: z.string(), end: z.string() }),
  owner: z.object({ name: z.string(), email: z.string() }),
  planned: z.int(),
  ownerUnreachable: z.nullable(
    z.object({
      reason: z.enum(['bounce', 'complaint', 'refused', 'suppressed']),
      detail: z.optional(z.string()),
      mail: z.string(),
      since: z.string(),
    }),
  ),
});

const LabelBudgetsPage = z.lazy(() =>
  z.object({
    budgets: z.array(
      z.object({
        ...budgetSummaryView(),
        lastReconciled: z.nullable(
          z.object({
            date: z.string(),
            committed: z.int(),
            actual: z.int(),
            remaining: z.int(),
            usedPercent: z.number(),
            status: z.enum(['on-track', 'at-risk', 'over']),
          }),
        ),
      }),
    ),
    nextCursor: z.optional(z.string()),
  }),
);

const driftRowView = () =>
  z.object({
    date: z.string(),
    at: z.string(),
    by: z.optional(
      z.string().check(z.describe("the budget whose reconciliation repaired it, when not this one's")),
    ),
    total: z.string(),
    was: z.int(),
    ledger: z.int(),
  });
const moneyView = () => z.object({ minor: z.int(), currency: z.string() });
const unconvertedView = () =>
  z.object({
    expenseId: z.string(),
    date: z.string(),
    amount: moneyView(),
    vat: z.optional(moneyView()),
    vendor: z.string(),
  });
const duplicateView = () =>
  z.object({
    vendor: z.string(),
    invoiceNumber: z.string(),
    budgetId: z.string(),
    expenseId: z.string(),
  });
const refusedView = () =>
  z.object({
    expenseId: z.string(),
    at: z.string(),
    change: z.string(),
    total: z.string(),
    reason: z.string(),
    receivedAt: z.string(),
  });
/** Each list of the budget's view and its own route, by the name it has in both. */
const listViews = {
  driftHistory: driftRowView,
  unconverted: unconvertedView,
  possibleDuplicates: duplicateView,
  refused: refusedView,
};

const BudgetDetailView = z.lazy(() =>
  z.object({
    ...budgetSummaryView(),
    thresholds: z.array(z.number()),
    lines: z.array(
      z.object({
        lineId: z.string(),
        planned: z.int(),
        committed: z.int(),
        actual: z.int(),
        income: z.int(),
        spent: z.int(),
        over: z.boolean(),
        inPlan: z.boolean(),
        category: z.nullable(z.string()),
      }),
    ),
    totals: z.object({
      currency: z.string(),
      planned: z.int(),
      committed: z.int(),
      actual: z.int(),
      income: z.int(),
      remaining: z.int(),
      usedPercent: z.number(),
      vat: z.int(),
      recoupable: z.record(z.string(), z.int()).check(z.describe('by artist id')),
      unconverted: z
        .record(z.string(), z.record(z.string(), z.int()))
        .check(z.describe('by kind, then currency: amounts no rate converts yet')),
    }),
    thresholdsCrossed: z.array(z.object({ threshold: z.number(), on: z.string(), date: z.string() })),
    forecastAtEnd: z.nullable(z.int()),
    runsOutOn: z.nullable(z.string()),
    moneyLastsThePeriod: z.nullable(z.boolean()),
    burnRate: z.nullable(z.object({ last7Days: z.number(), last30Days: z.number() })),
    variance: z.nullable(z.number()),
    lastReconciled: z.nullable(
      z.object({ date: z.string(), at: z.string(), status: z.enum(['on-track', 'at-risk', 'over']) }),
    ),
    driftHistory: z.array(driftRowView()),
    driftHistoryNextCursor: z.optional(z.string()),
    unconverted: z.array(unconvertedView()),
    unconvertedNextCursor: z.optional(z.string()),
    possibleDuplicates: z.array(duplicateView()),
    possibleDuplicatesNextCursor: z.optional(z.string()),
    refused: z.array(refusedView()),
    refusedNextCursor: z.optional(z.string()),
    expenses: z.int().check(z.describe('the expenses counted')),
  }),
);

const LedgerPage = z.lazy(() =>
  z.object({
    budgetId: z.string(),
    currency: z.string(),
    entries: z.array(
      z.object({
        expenseId: z.string(),
        version: z.string(),
        change: z.string(),
        counted: z.boolean(),
        kind: z.optional(z.string()),
        lineId: z.optional(z.string()),
        vendor: z.optional(z.string()),
        invoiceNumber: z.optional(z.string()),
        date: z.optional(z.string()),
        amount: z.optional(z.int()),
        currency: z.optional(z.string()),
        rate: z.optional(z.string()),
        ratePair: z.optional(z.string()),
        rateDate: z.optional(z.string()),
        amountInBudgetCurrency: z.optional(z.int()),
        vat: z.optional(z.int()),
        vatInBudgetCurrency: z.optional(z.int()),
        settles: z.optional(z.string()),
        recoupableArtist: z.optional(z.string()),
        recoupableShare: z.optional(z.number()),
        description: z.optional(z.string()),
        receivedAt: z.string(),
      }),
    ),
    nextCursor: z.optional(z.string()),
  }),
);

const RecoupableView = z.lazy(() =>
  z.object({
    artistId: z.string(),
    recoupable: z.array(z.object({ currency: z.string(), minor: z.int() })),
    expenses: z.array(z.object({ budgetId: z.string(), expenseId: z.string(), amount: moneyView() })),
  }),
);

const summary = (budget: StoredBudget) => ({
  budgetId: budget.budgetId,
  scope: budget.scope,
  currency: budget.currency,
  period: budget.period,
  owner: budget.owner,
  // Its lines' plans summed as the budget's figures are: past the largest total kept, stated as it.
  planned: figuresOf(budget, {}).planned,
  // Mail to the owner's address bounced, drew a complaint or was left out as suppressed; a new owner (budget.set) clears it.
  ownerUnreachable:
    budget.ownerUnreachable && budget.ownerUnreachable.address === normaliseEmail(budget.owner.email)
      ? {
          reason: budget.ownerUnreachable.reason,
          ...(budget.ownerUnreachable.detail ? { detail: budget.ownerUnreachable.detail } : {}),
          mail: budget.ownerUnreachable.kind,
          since: budget.ownerUnreachable.at,
        }
      : null,
  lastReconciled: budget.lastResult
    ? {
        date: budget.lastResult.date,
        committed: budget.lastResult.committed,
        actual: budget.lastResult.actual,
        remaining: budget.lastResult.remaining,
        usedPercent: budget.lastResult.usedPercent,
        status: budget.lastResult.status,
      }
    : null,
});

/** The view's first page of a list. */
const first = { limit: budgetListUsual };

/** The first page of a list as the view holds it: `<name>` and, when more follow, `<name>NextCursor`. */
const listed = <T, N extends string, R>(listing: BudgetListing<T, N, R>, rows: readonly T[]) => {
  const page = pageOfList(listing, rows, first);
  return {
    [listing.name]: page.rows,
    ...(page.nextCursor ? { [`${listing.name}NextCursor`]: page.nextCursor } : {}),
  } as { [K in N]: R[] } & { [K in `${N}NextCursor`]?: string };
};

/**
 * `GET /labels/{labelId}/budgets/{budgetId}`: totals, lines, alerts and the last reconciliation. A
 * threshold crossed carries its instant (`on`) and the day its mail names (`date`, the reconciliation's:
 * the manager's day of `on` but for a late day's): a reader of the view (the CLI, the local console)
 * knows no zone of its own.
 */
function budgetView(budget: StoredBudget, ledger: Ledger, timeZone: string) {
  const figures = figuresOf(budget, ledger.totals);
  const last = budget.lastResult;
  const runsOutOn = last?.runsOutOn && last.runsOutOn <= budget.period.end ? last.runsOutOn : null;
  return {
    ...summary(budget),
    thresholds: budget.thresholds,
    lines: figures.lines.map((line) => ({
      ...line,
      category:
        budget.lines.find((l) => l.lineId === line.lineId)?.category ??
        (line.income !== 0 ? settlementLine.category : null),
    })),
    totals: {
      ...totalsOf(figures),
      recoupable: figures.recoupable,
      unconverted: figures.unconverted,
    },
    // An alert's id is `threshold#<threshold>#<start>#<end>#<plan>` (shared/budgets/alerts.ts): a period
    // is known by its start, and a new start begins a new period whose thresholds are crossed anew; a
    // threshold crossed against another plan than the one in force (raised since) does not hold for it
    // (see docs/design.md#budgets). Its day is the one its mail names, the raising reconciliation's (an
    // alert kept before that was kept: the manager's day it was raised). From the lowest: the ids come in
    // key order, as text (100 before 50).
    thresholdsCrossed: ledger.alerts
      .map((alert) => ({ threshold: Number(alert.alertId.split('#')[1]), alert }))
      .filter(
        ({ threshold, alert }) =>
          alert.alertId.startsWith('threshold#') &&
          raisedFor(alert.alertId, budget.period.start, figures.planned, 'threshold', threshold),
      )
      .map(({ threshold, alert }) => ({
        threshold,
        on: alert.raisedAt,
        date: alert.date ?? dateIn(alert.raisedAt, timeZone),
      }))
      .sort((a, b) => a.threshold - b.threshold),
    forecastAtEnd: last?.forecastAtEnd ?? null,
    // A day within the period in force only: a result kept before it was stated so (or under an end
    // moved since) may name one after it, where the money lasts the period (docs/design.md#budgets).
    runsOutOn,
    moneyLastsThePeriod: last ? runsOutOn === null && last.remaining > 0 : null,
    burnRate: last ? { last7Days: last.burnRate7, last30Days: last.burnRate30 } : null,
    variance: last?.variance ?? null,
    lastReconciled: last ? { date: last.date, at: last.reconciledAt, status: last.status } : null,
    // The first page of each list; `<name>NextCursor` is the `cursor` of its route's next page.
    ...listed(driftListing, driftRows(ledger.drift)),
    ...listed(unconvertedListing, unconvertedExpenses(ledger.states)),
    ...listed(duplicatesListing, duplicateRows(ledger, budget.budgetId)),
    // Versions refused for good: each would take a running total past the largest kept (docs/design.md#money).
    ...listed(refusedListing, ledger.refused),
    expenses: ledger.states.filter(isCounted).length,
  };
}

/** A budget as the management API answers it (read by the CLI and the local console). */
export type BudgetView = ReturnType<typeof budgetView>;

const ids = (event: HttpEvent) => ({
  labelId: event.pathParameters?.labelId ?? '',
  budgetId: event.pathParameters?.budgetId ?? '',
  artistId: event.pathParameters?.artistId ?? '',
  date: event.pathParameters?.date ?? '',
});

/**
 * A ledger row's date, which `from`/`to` filter by: the expense's own for what it states; for a move
 * or a void, which state no expense of their own (the budget an expense left keeps none), the
 * manager's day they happened, by the label's timestamp of the change.
 */
const rowDate = (version: ExpenseVersion, data: Entry | undefined, timeZone: string) =>
  version.change === 'moved' || version.change === 'voided'
    ? dateIn(version.at.split('#')[0], timeZone)
    : data?.date;

/**
 * Why a version in force counts nowhere, which no later row says (a void's row and a move's say theirs): a
 * show's settlement of another tour than the one the budget's terms name, since set for another scope
 * (`ofAnotherTour`, see docs/design.md#budgets).
 */
const notCountedBecause = (
  state: ExpenseState | undefined,
  version: ExpenseVersion,
  data: Entry | undefined,
  scope: StoredBudget['scope'],
) =>
  state?.ofAnotherTour && state.dataAt === version.at && data?.kind === incomeKind
    ? `not counted: a settlement of tour ${data.settlement.tourId}, and the budget is set for ${scope.kind} ${scope.id}`
    : undefined;

/**
 * What a void or a move took out of the budget: the expense as its latest version here before it stated
 * it (by the label's timestamp, as the versions are ordered), not as a later one records it again.
 */
const dataBefore = (stating: readonly ExpenseVersion[] | undefined, at: string): Entry | undefined =>
  stating?.reduce<ExpenseVersion | undefined>(
    (latest, v) => (v.at < at && (!latest || v.at > latest.at) ? v : latest),
    undefined,
  )?.data;

const ledgerColumns = [
  'expenseId',
  'version',
  'change',
  'counted',
  'kind',
  'lineId',
  'vendor',
  'invoiceNumber',
  'date',
  'amount',
  'currency',
  'rate',
  'ratePair',
  'rateDate',
  'amountInBudgetCurrency',
  'vat',
  'vatInBudgetCurrency',
  'settles',
  'recoupableArtist',
  'recoupableShare',
  'description',
  'receivedAt',
] as const;

/**
 * A ledger's rows in order, paged as every list is (`pageOf`): by expense id, each expense's versions in
 * the order they happened; a cursor names the version a page was taken after.
 */
const ledgerListing = {
  name: 'ledger',
  parts: 2,
  partsOf: ({ version }: { version: ExpenseVersion }) => [version.expenseId, version.at],
};

/** The query a next page's link repeats (its filters and page size), as strings. */
const queryParameters = (query: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(query)
      .filter(([name, value]) => name !== 'cursor' && value !== undefined)
      .map(([name, value]) => [name, String(value)]),
  );

/**
 * The rows a page of a list is taken from (every row after its cursor that may be on it, and any before),
 * or undefined when the budget is not there.
 */
type ListRows<T> = (
  budgets: BudgetReads,
  ids: { labelId: string; budgetId: string },
  query: { limit: number; cursor?: string | undefined },
) => Promise<readonly T[] | undefined>;

/** A list's rows out of the budget's whole ledger. */
const fromLedger =
  <T>(rowsOf: (ledger: Ledger, budgetId: string) => readonly T[]): ListRows<T> =>
  async (budgets, { labelId, budgetId }) => {
    const ledger = await budgets.ledger(labelId, budgetId);
    return ledger.budget && rowsOf(ledger, budgetId);
  };

/**
 * The drift history's rows from the cursor's instant on, read only as far as its page: the records of
 * whole instants (their alike rows are numbered among the instant's records), until those after the
 * cursor's instant hold more rows than the page, so that none of an instant not read comes before them.
 */
const driftFromCursor: ListRows<{ row: DriftRow; alike: number }> = async (
  budgets,
  { labelId, budgetId },
  { limit, cursor },
) => {
  if (!(await budgets.getBudget(labelId, budgetId))) return undefined;
  const after = cursor ? rowAfter(cursor, driftListing.name, driftListing.parts) : undefined;
  const from = after && { date: after[0], at: after[1] };
  const instantOf = (record: DriftRecord) => [record.date, record.at];
  const drift: DriftRecord[] = [];
  let later = 0;
  // Records of one row each are read in one page of `limit` + 3: the cursor's, the `limit` + 1 rows that
  // fill the page and tell whether more follow, and the next, which tells the last instant whole.
  for await (const record of budgets.driftFrom(labelId, budgetId, from, limit + 3)) {
    const last = drift.at(-1);
    if (later > limit && last && byParts(instantOf(record), instantOf(last)) !== 0) break;
    drift.push(record);
    if (!from || byParts(instantOf(record), [from.date, from.at]) > 0) later += record.differences.length;
  }
  return driftRows(drift);
};

/**
 * `GET /labels/{labelId}/budgets/{budgetId}/<path>`: a list of the budget's view, a page at a time, as the
 * ledger is (`limit`, `cursor`, `nextCursor`), in the rows' order.
 */
const budgetList = <T, R>(
  deps: BudgetRoutesDeps,
  listing: BudgetListing<T, string, R>,
  what: string,
  rowsOf: ListRows<T>,
): ManagementRoute => ({
  method: 'GET',
  path: `/labels/{labelId}/budgets/{budgetId}/${listing.path}`,
  doc: {
    summary: what,
    description: `At most \`limit\` rows a page (${budgetListUsual} by default, ${budgetListLimit} at most), ${listing.order}; follow \`nextCursor\` for the next. The budget's view holds the first page, with \`${listing.name}NextCursor\` when more follow.`,
    query: BudgetListQuery,
    responses: {
      200: {
        description: `the ${listing.name} rows`,
        schema: z.lazy(() =>
          z.object({
            budgetId: z.string(),
            [listing.name]: z.array(listViews[listing.name as keyof typeof listViews]()),
            nextCursor: z.optional(z.string()),
          }),
        ),
      },
      400: failure('a query parameter is invalid'),
      404: noLabelOr('budget'),
    },
  },
  handler: async (event: HttpEvent): Promise<HttpResult> => {
    const { labelId, budgetId } = ids(event);
    const query = queryOf(BudgetListQuery, event);
    const rows = await rowsOf(deps.budgets, { labelId, budgetId }, query);
    if (!rows) throw await notFoundUnder(deps.labels, labelId, 'budget');
    const page = pageOfList(listing, rows, query);
    return json(200, {
      budgetId,
      [listing.name]: page.rows,
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    });
  },
});

export const budgetRoutes = (deps: BudgetRoutesDeps): ManagementRoute[] => [
  {
    method: 'GET',
    path: '/labels/{labelId}/budgets',
    doc: {
      summary: "The label's budgets, optionally of one scope, a page at a time",
      description: `At most \`limit\` budgets a page (${labelBudgetsUsual} by default, ${labelBudgetsLimit} at most), by scope (its kind, then its id), then budget id; follow \`nextCursor\` for the next.`,
      query: LabelBudgetsQuery,
      responses: {
        200: { description: 'the budgets with their totals', schema: LabelBudgetsPage },
        400: failure('a query parameter is invalid'),
        404: noLabel,
      },
    },
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const query = queryOf(LabelBudgetsQuery, event);
      if (query.scopeId && !query.scope)
        throw new ValidationError([{ path: 'query.scope', message: 'is required with scopeId' }]);
      const { labelId } = ids(event);
      // The listing is the label's own: a cursor of another label's budgets is refused.
      const listing = labelBudgetsPartition(labelId);
      const after = query.cursor ? rowAfter(query.cursor, listing, 3) : undefined;
      const scope = query.scope ? { kind: query.scope, id: query.scopeId } : undefined;
      const { budgets, more } = await cursorChecked(
        deps.budgets.labelBudgetsPage(labelId, scope, query.limit, after),
      );
      if (budgets.length === 0) await requireLabel(deps.labels, labelId);
      const last = budgets.at(-1);
      return json(200, {
        budgets: budgets.map(summary),
        ...(more && last ? { nextCursor: cursorAfter(listing, labelBudgetRow(last)) } : {}),
      });
    },
  },
  {
    method: 'GET',
    path: '/labels/{labelId}/budgets/{budgetId}',
    doc: {
      summary:
        'A budget: totals, lines, thresholds crossed, forecast, runs-out date, drift history, unconverted and flagged expenses',
      description: `The figures are whole. \`unconverted\`, \`refused\`, \`possibleDuplicates\` and \`driftHistory\` are the first ${budgetListUsual} of each list, with \`<list>NextCursor\` (\`unconvertedNextCursor\`, \`refusedNextCursor\`, \`possibleDuplicatesNextCursor\`, \`driftHistoryNextCursor\`) when more follow: the \`cursor\` of \`GET .../unconverted\`, \`.../refused\`, \`.../possible-duplicates\` or \`.../drift-history\` for the next page. Each of \`thresholdsCrossed\` states the instant it was crossed (\`on\`) and the day its alert mail names (\`date\`): the day of the reconciliation that crossed it, the manager's day of \`on\` (in MANAGER_TIME_ZONE) but for a late day's reconciliation, redriven.`,
      responses: { 200: { description: 'the budget', schema: BudgetDetailView }, 404: noLabelOr('budget') },
    },
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const { labelId, budgetId } = ids(event);
      const ledger = await deps.budgets.ledger(labelId, budgetId);
      const budget = ledger.budget;
      if (!budget) throw await notFoundUnder(deps.labels, labelId, 'budget');
      return json(200, budgetView(budget, ledger, deps.timeZone));
    },
  },
  {
    method: 'GET',
    path: '/labels/{labelId}/budgets/{budgetId}/ledger',
    doc: {
      summary: "A budget's ledger, as JSON or (with `Accept: text/csv`) CSV, a page at a time",
      description:
        `At most \`limit\` rows a page (${ledgerPageLimit} by default and at most), by expense id and each expense's versions in the order they happened; follow \`nextCursor\` (JSON) or the \`Link: <...>; rel="next"\` header (CSV) for the next. ` +
        "`from`/`to` take rows whose date is between them: an expense's own date, or for a `moved` or `voided` row the manager's day it happened. " +
        "A row that counts nowhere says why in `description` where no later row does: a `voided` row's is the void's reason, a `moved` row's names the budget the expense was booked to, and a show's settlement of another tour than the budget is set for (its terms set for another tour since) adds to its own `not counted: a settlement of tour <tourId>, and the budget is set for <scope kind> <scope id>`. " +
        "`amountInBudgetCurrency` is what the row adds to the budget's committed, actual or income (by `kind`), so the rows of a kind sum to the view's figure: it is empty for a purchase order an invoice settles (the invoice counts the money; the order's row is still `counted`, in force) and for an amount no rate converts yet (counted apart, under `unconverted`). `vat` is in the amount's `currency`; `vatInBudgetCurrency` is what the row adds to the view's `vat` (an invoice's, converted as its amount is). CSV cells starting with =, +, -, @, tab or CR get a leading ', and so does such a character after a ;, so a spreadsheet shows them as text, whichever separator it splits at.",
      query: LedgerQuery,
      headers: { accept: csvOrJsonAccept },
      responses: {
        200: { description: 'the ledger lines', schema: LedgerPage, textMediaTypes: ['text/csv'] },
        400: failure('a query parameter is invalid'),
        404: noLabelOr('budget'),
      },
    },
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const { labelId, budgetId } = ids(event);
      const query = queryOf(LedgerQuery, event);
      const ledger = await deps.budgets.ledger(labelId, budgetId);
      if (!ledger.budget) throw await notFoundUnder(deps.labels, labelId, 'budget');
      const current = new Map(ledger.states.map((s) => [s.expenseId, s]));
      const stating = Map.groupBy(
        ledger.versions.filter((v) => v.data),
        (v) => v.expenseId,
      );
      const dated = ledger.versions
        .map((version) => {
          const state = current.get(version.expenseId);
          const data = version.data ?? dataBefore(stating.get(version.expenseId), version.at);
          const inForce = state && isCounted(state) && state.dataAt === version.at;
          return {
            version,
            data,
            date: rowDate(version, data, deps.timeZone),
            counted: Boolean(inForce),
            uncountedBecause: notCountedBecause(state, version, data, ledger.budget!.scope),
            // A settled order is in force but adds nothing to the figures: its invoice counts the money.
            settled: Boolean(inForce && isSettledOrder(state)),
            conversion: inForce ? state.conversion : undefined,
          };
        })
        .filter(
          ({ date }) =>
            (!query.from || (date ?? '') >= query.from) && (!query.to || (date ?? '') <= query.to),
        );
      const { rows, nextCursor: next } = pageOf(ledgerListing, dated, query);
      const page = rows.map(({ version, data, date, counted, uncountedBecause, settled, conversion }) => ({
        expenseId: version.expenseId,
        version: version.at,
        change: version.change,
        counted,
        kind: data?.kind,
        lineId: data?.lineId,
        vendor: data?.vendor,
        invoiceNumber: data?.invoiceNumber,
        date,
        amount: data?.amount.minor,
        currency: data?.amount.currency,
        // What the version in force counts at: the rate (and its date) it was converted at.
        rate: conversion?.rate,
        // Which way the rate is quoted: units of the second currency per one of the first.
        ratePair:
          conversion && data
            ? conversion.inverse
              ? `${ledger.budget!.currency}/${data.amount.currency}`
              : `${data.amount.currency}/${ledger.budget!.currency}`
            : undefined,
        rateDate: conversion?.date,
        // What the row adds to the view's committed, actual or income, so the rows sum to the view's.
        amountInBudgetCurrency:
          counted && !settled && data
            ? inBudgetCurrency(data.amount, ledger.budget!.currency, conversion)
            : undefined,
        vat: data?.vat?.minor,
        // What the row adds to the view's VAT: an invoice's (actual's), converted as its amount is.
        vatInBudgetCurrency:
          counted && data?.kind === 'actual' && data.vat
            ? inBudgetCurrency(data.vat, ledger.budget!.currency, conversion)
            : undefined,
        settles: data?.settles,
        recoupableArtist: data?.recoupable?.artist.artistId,
        recoupableShare: data?.recoupable?.sharePercent,
        description:
          version.change === 'voided'
            ? version.reason
            : version.change === 'moved'
              ? `booked to budget ${version.movedTo}`
              : uncountedBecause
                ? [data?.description, uncountedBecause].filter(Boolean).join('; ')
                : data?.description,
        receivedAt: version.receivedAt,
      }));
      if (prefersCsv(header(event, 'accept')))
        return csvPage(
          'ledger.csv',
          toCsv(ledgerColumns, page),
          next ? { path: event.rawPath, query: { ...queryParameters(query), cursor: next } } : undefined,
        );
      return json(200, {
        budgetId,
        currency: ledger.budget.currency,
        entries: page,
        ...(next ? { nextCursor: next } : {}),
      });
    },
  },
  budgetList(
    deps,
    unconvertedListing,
    "A budget's expenses no rate converts yet (counted apart, in their own currency), a page at a time",
    fromLedger((ledger) => unconvertedExpenses(ledger.states)),
  ),
  budgetList(
    deps,
    refusedListing,
    "A budget's versions refused for good (each would take a running total past the largest kept), a page at a time",
    fromLedger((ledger) => ledger.refused),
  ),
  budgetList(
    deps,
    duplicatesListing,
    "A budget's possible duplicates (expenses carrying a vendor invoice another expense carries, here or in another of the label's budgets), a page at a time",
    fromLedger(duplicateRows),
  ),
  budgetList(
    deps,
    driftListing,
    "A budget's drift history (the running totals its repairs set right), a page at a time",
    driftFromCursor,
  ),
  {
    method: 'GET',
    path: '/labels/{labelId}/artists/{artistId}/recoupable',
    doc: {
      summary: "An artist's recoupable spend across the label's budgets, per currency",
      responses: {
        200: {
          description: 'recoupable totals per currency and the expenses behind them',
          schema: RecoupableView,
        },
        404: noLabel,
      },
    },
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const { labelId, artistId } = ids(event);
      const found = await deps.budgets.recoupable(labelId, artistId);
      if (found.length === 0) await requireLabel(deps.labels, labelId);
      const byCurrency: Record<string, number> = {};
      for (const { amount } of found)
        byCurrency[amount.currency] = (byCurrency[amount.currency] ?? 0) + amount.minor;
      return json(200, {
        artistId,
        recoupable: Object.entries(byCurrency)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([currency, minor]) => ({ currency, minor })),
        expenses: found,
      });
    },
  },
  {
    method: 'PUT',
    path: '/fx-rates/{date}',
    doc: {
      summary: "The manager's exchange rates for a date",
      description: conversionRule,
      body: { schema: RatesBody },
      responses: {
        200: { description: 'the rates kept', schema: RatesView },
        400: failure('a rate or the date is invalid'),
      },
    },
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const date = pathParameterOf(IsoDate, event, 'date');
      const { rates } = bodyOf(RatesBody, event);
      await deps.budgets.putRates(date, rates, deps.now().toISOString());
      return json(200, { date, rates });
    },
  },
  {
    method: 'GET',
    path: '/fx-rates/{date}',
    doc: {
      summary: "The manager's exchange rates for a date",
      responses: {
        200: { description: 'the rates', schema: RatesView },
        400: failure('the date is invalid'),
        404: failure('no rates for that date'),
      },
    },
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const date = pathParameterOf(IsoDate, event, 'date');
      const rates = await deps.budgets.rates(date);
      if (!rates) throw notFound('rates for that date');
      return json(200, { date, rates });
    },
  },
];
