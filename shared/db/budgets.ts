import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  Budget,
  Counters,
  Entry,
  ExpenseState,
  ExpenseVersion,
  FlaggedInvoice,
  Listed,
} from '../budgets/ledger.ts';
import {
  counterParts,
  type DuplicatesSummary,
  invoiceOf,
  totalLimit,
  type UnconvertedSummary,
} from '../budgets/ledger.ts';
import { addDays } from '../days.ts';
import type { EventData } from '../events/envelope.ts';
import type { OutboxEntry } from '../events/outbox.ts';
import type { TourShowSettled } from '../events/tour-show-changes.ts';
import type { Money } from '../money/money.ts';
import { normaliseEmail } from '../outlets.ts';
import {
  type BudgetReads,
  budgetKey,
  budgetPartition,
  countersOf,
  dayResultOf,
  dynamoBudgetReads,
  invoicePartition,
  labelBudgetsIndexKey,
  readInvoiceFilings,
  stateOf,
} from './budget-reads.ts';
import { failedConditions, itemsTooLarge, refusedItems, writtenUnlessRefused } from './conditions.ts';
import { retryingConflicts } from './conflicts.ts';
import { dynamoFxRates, type FxRates } from './fx-rates.ts';
import { keyBytes, keyOf, keyParts, nameHash } from './keys.ts';
import { outboxPut, putOnce, writeWithOutbox } from './outbox.ts';
import { cursorOfKey, keyOfCursor } from './start-key-cursor.ts';

/**
 * Budgets, their ledger and running totals, the daily reconciliation's results, and exchange rates.
 * `dynamoBudgets` is the one store; its reads of budgets and ledgers (shared/db/budget-reads.ts) and
 * its exchange rates (shared/db/fx-rates.ts) are modules of their own, which the office function
 * imports without the ledger's writes, so it is granted none of them.
 *
 * Access patterns (one partition per budget holds everything the reconciliation reads, so it reads
 * each ledger with one paged Query):
 * - a budget's partition: pk = BUDGET#<labelId>#<budgetId>, with
 *     sk = BUDGET                         the terms (newest by the label's timestamp) and the last day's result
 *     sk = TOTALS                         running totals (one attribute per counter) and their revision
 *     sk = EXPENSE#<expenseId>            an expense as it stands (latest data, void, what it counts)
 *     sk = VERSION#<expenseId>#<at>       every version received (recorded, amended, voided), kept
 *     sk = ALERT#<alertId>                an alert raised (once per budget, threshold or line, period and plan)
 *     sk = DRIFT#<date>#<at>[#<expenseId>#<eventId>]  a drift found and repaired by the reconciliation
 *     sk = DUPLICATE#<vendor>#<invoice>    a vendor invoice also carried by expenses of other budgets of the label
 *                                          (the expenses listed, or past `flaggedExpensesBytes` named by its filings)
 *     sk = REFUSED#<expenseId>#<at>        a version refused for good: it would take a running total past the limit
 * - a label's budgets by scope: gsi1pk = BUDGETS#<labelId>, gsi1sk = <scopeKind>#<scopeId>#<budgetId>
 * - every budget, for the daily fan-out: gsi2pk = BUDGETS#ALL, gsi2sk = <labelId>#<budgetId>
 * - an artist's recoupable expenses: gsi1pk = RECOUPABLE#<labelId>#<artistId>, gsi1sk = <budgetId>#<expenseId>
 * - expenses held for a budget not known yet, every label's (sparse): gsi2pk = HELD, gsi2sk = <firstSeenAt>#<labelId>#<budgetId>#<expenseId>
 * - a held expense reported (once): pk = BUDGET-HELD#<labelId>#<budgetId>#<expenseId>, sk = REPORTED
 * - the held expenses a label's reports of a day list: pk = BUDGET-HELD-DAY#<date>#<labelId>, sk = <budgetId>#<expenseId>
 * - how far the daily sweep of held expenses got: pk = BUDGET-HELD-SWEEP, sk = SWEEP
 * - a day's results per owner: pk = BUDGET-DAY#<date>#<labelId>#<ownerEmail>, sk = BUDGET#<budgetId>
 *   (`lateReportedOn` once a report read it as kept after its own day's report began)
 * - the owners with results that day (the report's pages): pk = BUDGET-OWNERS#<date>, sk = <labelId>#<ownerEmail>
 * - that day's report begun (a result kept after it is noted late): pk = BUDGET-REPORT#<date>, sk = BEGUN
 * - an owner's results kept after their day's report began, for the owner's next report, until it reads them:
 *     pk = BUDGET-LATE#<labelId>#<ownerEmail>, sk = <date>#<budgetId>
 * - a page of a fan-out already put on the bus: pk = BUDGET-RUN#<run>#<date>, sk = PAGE#<digest of the cursor> (expires, `putOnce`)
 * - exchange rates of a day: pk = FX#<date>, sk = FX
 * - the budgets of a label an expense has versions in (an amendment may name another budget):
 *     pk = EXPENSE-BUDGETS#<labelId>#<expenseId>, sk = BUDGETS   (a string set)
 * - a label's expenses by vendor invoice (possible duplicates across budgets): pk = INVOICE#<labelId>#<vendor>#<invoice>
 *   (vendor and invoice number trimmed and lower-cased), with
 *     sk = <budgetId>#<expenseId>   whether the expense carries it, as of its state's revision
 *     sk = GENERATION               raised by each filing, so the flags computed from the filings keep the latest
 * - a budget mail that bounced or drew a complaint, stated once: pk = BUDGET-MAIL-UNDELIVERABLE#<deliveryId>, sk = MAIL
 * - which mail left out as suppressed stated the owner's address unreachable, and for which budgets (the standing
 *   of its mark, decided once per owner): pk = BUDGET-OWNER-SUPPRESSED#<labelId>#<address>, sk = STANDING
 * - a tour's show settlements, every version (for a tour budget set after them): pk = TOUR-SETTLEMENTS#<labelId>#<tourId>,
 *     sk = SHOW#<showId>#<at>
 */
export { budgetKey };
export const totalsKey = (labelId: string, budgetId: string) => ({
  pk: budgetPartition(labelId, budgetId),
  sk: 'TOTALS',
});
export const expenseKey = (labelId: string, budgetId: string, expenseId: string) => ({
  pk: budgetPartition(labelId, budgetId),
  sk: keyOf('EXPENSE', expenseId),
});
const versionKey = (labelId: string, budgetId: string, expenseId: string, at: string) => ({
  pk: budgetPartition(labelId, budgetId),
  sk: keyOf('VERSION', expenseId, at),
});
const refusedKey = (labelId: string, budgetId: string, expenseId: string, at: string) => ({
  pk: budgetPartition(labelId, budgetId),
  sk: keyOf('REFUSED', expenseId, at),
});
const alertKey = (labelId: string, budgetId: string, alertId: string) => ({
  pk: budgetPartition(labelId, budgetId),
  sk: keyOf('ALERT', alertId),
});
/**
 * What keeps a repair's drift record (a lost release, or shares) apart from every other of its instant:
 * the expense leading its write, then the event that states it (its Budget Drift Repaired), since one
 * expense may lead two repairs of an instant (a release and a push of its word). See docs/design.md#budgets.
 */
export const driftOf = (write: LedgerWrite): string[] => [
  write.states[0]?.expenseId ?? '',
  ...(write.drift?.entries.map((e) => e.eventId) ?? []),
];

/** A drift record's put: a reconciliation's repair of the totals, or a write's repair (`of`: driftOf). */
const driftPut = (
  table: string,
  labelId: string,
  budgetId: string,
  record: DriftRecord,
  of: string[] = [],
) => ({
  Put: {
    TableName: table,
    Item: {
      pk: budgetPartition(labelId, budgetId),
      sk: keyOf('DRIFT', record.date, record.at, ...of),
      entity: 'drift',
      ...record,
    },
  },
});
const dayKey = (date: string, labelId: string, ownerEmail: string, budgetId: string) => ({
  pk: keyOf('BUDGET-DAY', date, labelId, ownerEmail),
  sk: keyOf('BUDGET', budgetId),
});
const ownersKey = (date: string, labelId: string, ownerEmail: string) => ({
  pk: keyOf('BUDGET-OWNERS', date),
  sk: keyParts(labelId, ownerEmail),
});
const reportBegunKey = (date: string) => ({ pk: keyOf('BUDGET-REPORT', date), sk: 'BEGUN' });
const lateKey = (labelId: string, ownerEmail: string, date: string, budgetId: string) => ({
  pk: keyOf('BUDGET-LATE', labelId, ownerEmail),
  sk: keyParts(date, budgetId),
});
/**
 * A page is known by a digest of its cursor: the cursor (a listing's key, JSON in base64url) of a
 * budget or owner whose ids are at their limit passes the 1,024 bytes of a sort key (see docs/design.md#budgets).
 */
const runPageKey = (run: string, date: string, cursor: string | undefined) => ({
  pk: keyOf('BUDGET-RUN', run, date),
  sk: keyOf('PAGE', cursor === undefined ? '-' : nameHash([cursor])),
});
const settlementsPartition = (labelId: string, tourId: string) => keyOf('TOUR-SETTLEMENTS', labelId, tourId);
const settlementKey = (labelId: string, tourId: string, showId: string, at: string) => ({
  pk: settlementsPartition(labelId, tourId),
  sk: keyOf('SHOW', showId, at),
});

/**
 * A show's settlement is one line of each budget of its tour, under this id. Label expense ids may not
 * start with `settlementIdPrefix` (intake refuses them), so no expense of the label can meet it.
 * The id is a part of its expense's keys, escaped again there (a tour's or show's `#`, `%23` in the id,
 * is `%2523` in a key): tour and show ids at their limit written with `#` or `%` would take those keys
 * past DynamoDB's 1,024 bytes of a sort key, the longest a repair's drift record
 * (`DRIFT#<date>#<instant>#<id>#<event id>`: 79 bytes besides the id). Such a settlement is known by a
 * digest of its two ids instead (one `#` where the readable id has two, so the two forms never meet);
 * an id whose keys all fit is as it was (see docs/design.md#budgets).
 */
export const settlementEntryId = (tourId: string, showId: string) => {
  const id = keyOf('show-settlement', tourId, showId);
  return Buffer.byteLength(keyParts(id)) <= keyBytes.sort - 79
    ? id
    : keyOf('show-settlement', nameHash([tourId, showId]));
};

const invoiceKey = (labelId: string, invoice: InvoiceRef, budgetId: string, expenseId: string) => ({
  pk: invoicePartition(labelId, invoice),
  sk: keyParts(budgetId, expenseId),
});
/** The invoice's generation: no filing's sort key (two escaped parts) can be this one. */
const invoiceGenerationKey = (labelId: string, invoice: InvoiceRef) => ({
  pk: invoicePartition(labelId, invoice),
  sk: 'GENERATION',
});
const duplicateKey = (labelId: string, budgetId: string, vendor: string, invoiceNumber: string) => {
  const invoice = invoiceOf(vendor, invoiceNumber);
  return {
    pk: budgetPartition(labelId, budgetId),
    sk: keyOf('DUPLICATE', invoice.vendor, invoice.invoiceNumber),
  };
};
/**
 * How many bytes of expenses an invoice's flag lists in its own item. DynamoDB keeps 400 KB (409,600 bytes)
 * an item; an expense listed takes its two ids (at most 384 bytes each) and 24 bytes of their names and the
 * list's and map's own, and the rest of the item (keys within 3 KB, vendor and invoice number) fits beside
 * 256 KB. A longer list (hundreds of expenses on one invoice) is not copied: the flag says `expensesFiled`,
 * and the ledger's read names its expenses by the invoice's filings, one item each (see docs/design.md#budgets).
 */
export const flaggedExpensesBytes = 256 * 1024;
const listedBytes = (expenses: FlaggedInvoice['expenses']) =>
  expenses.reduce(
    (bytes, { budgetId, expenseId }) =>
      bytes + Buffer.byteLength(budgetId) + Buffer.byteLength(expenseId) + 24,
    0,
  );
const expenseBudgetsKey = (labelId: string, expenseId: string) => ({
  pk: keyOf('EXPENSE-BUDGETS', labelId, expenseId),
  sk: 'BUDGETS',
});
const heldIndexKey = keyOf('HELD');
const heldReportedKey = (labelId: string, budgetId: string, expenseId: string) => ({
  pk: keyOf('BUDGET-HELD', labelId, budgetId, expenseId),
  sk: 'REPORTED',
});
const heldDayKey = (date: string, labelId: string, budgetId: string, expenseId: string) => ({
  pk: keyOf('BUDGET-HELD-DAY', date, labelId),
  sk: keyParts(budgetId, expenseId),
});
const heldSweepKey = { pk: 'BUDGET-HELD-SWEEP', sk: 'SWEEP' };
const heldOf = (item: Record<string, unknown>): HeldExpense => {
  const data = item.data as Entry | undefined;
  return {
    labelId: String(item.labelId),
    budgetId: String(item.budgetId),
    expenseId: String(item.expenseId),
    firstSeenAt: String(item.firstSeenAt),
    ...(data ? { expense: { vendor: data.vendor, date: data.date, amount: data.amount } } : {}),
  };
};
const undeliverableKey = (deliveryId: string) => ({
  pk: keyOf('BUDGET-MAIL-UNDELIVERABLE', deliveryId),
  sk: 'MAIL',
});
const ownerSuppressedKey = (labelId: string, address: string) => ({
  pk: keyOf('BUDGET-OWNER-SUPPRESSED', labelId, address),
  sk: 'STANDING',
});

/**
 * Whether the mark a left-out mail stated (at `statedAt`, the owner item's `at`) still stands, as another
 * mail left out (`asking`, by its delivery id) finds it: some budget it named is still the address's and
 * still shows it unreachable by a mark of the address (a new owner set on every one of them ends it). The
 * asking mail writes its marks just before, and winning the mark of a budget the address holds since is
 * what states it again, so a mark of the asking mail newer than the statement is not counted; one it won
 * before the statement (the same mail handled again) is, as any other mail's (see docs/design.md#budgets).
 */
export const suppressedMarkStands = (
  address: string,
  named: (StoredBudget | undefined)[],
  asking: string,
  statedAt: string,
) =>
  named.some(
    (budget) =>
      budget !== undefined &&
      normaliseEmail(budget.owner.email) === address &&
      budget.ownerUnreachable?.address === address &&
      !(budget.ownerUnreachable.deliveryId === asking && budget.ownerUnreachable.at > statedAt),
  );

/** The mark is this mail's (the same address and delivery id): a mail handled again finds it and keeps it as it is. */
export const ownMark = (kept: OwnerUnreachable | undefined, mark: OwnerUnreachable) =>
  kept?.address === mark.address && kept.deliveryId === mark.deliveryId;

/**
 * The owner's address bounced or complained on a budget mail, SES refused a budget mail for good, or
 * a budget mail was left out because the address is suppressed: the owner was not warned (see
 * docs/design.md#two-mail-streams).
 */
export interface OwnerUnreachable {
  address: string;
  reason: 'bounce' | 'complaint' | 'refused' | 'suppressed';
  detail?: string;
  deliveryId: string;
  kind: string;
  at: string;
}

/** One version of a show's settlement as the label sent it, ordered by `at` like an expense's versions. */
export interface SettlementVersion {
  at: string;
  receivedAt: string;
  settlement: EventData<typeof TourShowSettled>;
}

/** A budget's reconciled day, kept for the owner's report and shown on the budget. */
export interface DayResult {
  labelId: string;
  budgetId: string;
  date: string;
  owner: { name: string; email: string };
  scope: { kind: string; id: string };
  currency: string;
  planned: number;
  committed: number;
  actual: number;
  income: number;
  remaining: number;
  usedPercent: number;
  vat: number;
  burnRate7: number;
  burnRate30: number;
  forecastAtEnd: number;
  runsOutOn: string | null;
  /** Spend minus the straight line from start to end, as of the day. */
  variance: number;
  status: 'on-track' | 'at-risk' | 'over';
  linesOver: { lineId: string; planned: number; spent: number }[];
  /** Counted and summed whole, the first few listed: the item stays within DynamoDB's 400 KB. */
  unconverted: UnconvertedSummary;
  /** Counted whole, the first few invoices listed (each with its first few expenses), and a fingerprint of them all. */
  possibleDuplicates: DuplicatesSummary;
  drift: { total: string; was: number; ledger: number }[];
  /**
   * The versions refused for good (by expense id, then version), counted whole, the first few listed;
   * absent from a result kept before it was.
   */
  refused?: Listed<Pick<Refusal, 'expenseId' | 'change' | 'reason'>>;
  alerts: string[];
  /**
   * Anything the report states differs from the day before (its figures, not the VAT it does not state;
   * the status, drift, a new alert, the set of possible duplicates, the counts of what it lists).
   */
  changed: boolean;
  reconciledAt: string;
}

export interface DriftRecord {
  date: string;
  at: string;
  differences: { total: string; was: number; ledger: number }[];
  /** The budget whose reconciliation repaired it, for a release across budgets or its push. */
  by?: string;
}

export interface StoredBudget extends Budget {
  lastResult?: DayResult;
  /** Set when mail to an owner's address could not be delivered; it concerns the owner while `address` is theirs. */
  ownerUnreachable?: OwnerUnreachable;
}

/** A budget's partition, as the reconciliation and the budget view read it. */
export interface Ledger {
  budget?: StoredBudget;
  totals: Counters;
  totalsRevision: number;
  states: ExpenseState[];
  versions: ExpenseVersion[];
  /**
   * `date`: the day of the reconciliation that raised it, which its mail names (a late day's, redriven,
   * is not the day it ran); absent on alerts raised before it was kept.
   */
  alerts: { alertId: string; raisedAt: string; date?: string; mailed: boolean }[];
  drift: DriftRecord[];
  /** Vendor invoices of this budget's expenses also found under other budgets of the label. */
  flagged: FlaggedInvoice[];
  /** Versions refused for good, each once: they would take a running total past `totalLimit`. */
  refused: Refusal[];
}

/**
 * A version of an expense the ledger refused for good, kept apart from the versions (which count):
 * it would take a running total past `totalLimit` (see docs/design.md#money).
 */
export interface Refusal {
  expenseId: string;
  at: string;
  change: ExpenseVersion['change'];
  /** The running total it would take past the limit, as stated (`totalText`). */
  total: string;
  reason: string;
  receivedAt: string;
}

/** What one change of the ledger writes, all or nothing. */
export interface LedgerWrite {
  /** New versions: each is written once (a repeated one fails the write). */
  versions: ExpenseVersion[];
  /** States to store; each `revision` is the one read (0: none stored), stored as revision + 1. */
  states: ExpenseState[];
  /** Added to the running totals in the same transaction, so that they always equal the ledger. */
  delta: Counters;
  /**
   * States of other budgets of the label this write was computed from: still at `revision` (0: none
   * stored), or nothing is written. An order released by an invoice of another budget holds what it read there.
   */
  checks?: { budgetId: string; expenseId: string; revision: number }[];
  /**
   * A reconciliation's repair (a release lost on the way): the drift it repairs is kept, and its
   * event stated through the outbox, in the same transaction.
   */
  drift?: { record: DriftRecord; entries: OutboxEntry[] };
  /**
   * The running totals' revision the write's figures were read at (`totalsRevision`, 0: none yet): still
   * at it, or nothing is written. Every write moves it, an empty `delta` too, on the totals' item it
   * updates (see docs/design.md#budgets): a repair's drift holds what the budget held just before it.
   */
  totalsRevision?: number;
  /**
   * The budget's terms (`termsVersion`) a version's carried rate was named under (withRateNamed): still
   * in force, or nothing is written. A version is written once, so terms replaced since its read would
   * leave its rate naming the currency of terms the label had replaced (see docs/design.md#money).
   */
  terms?: string;
  /**
   * Versions a recount refuses for good (see docs/design.md#money): each taken off the ledger and kept
   * as refused (`REFUSED#`), in the same transaction; one already gone (refused since) fails the write.
   */
  refused?: Refusal[];
}

/** An expense held for a budget the label never sent (yet). */
export interface HeldExpense {
  labelId: string;
  budgetId: string;
  expenseId: string;
  firstSeenAt: string;
  /** What it states (absent for one known only by its void). */
  expense?: { vendor: string; date: string; amount: Money };
}

/** A vendor invoice as an expense names it. */
export interface InvoiceRef {
  vendor: string;
  invoiceNumber: string;
}

/** One expense filed under a vendor invoice: whether it carries it as of its state's revision. */
export interface InvoiceFiling {
  budgetId: string;
  expenseId: string;
  revision: number;
  carries: boolean;
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

export interface BudgetStore extends BudgetReads, FxRates {
  /** Stores the terms if newer (by the label's timestamp) than the stored ones; keeps the ledger. True if stored. */
  saveBudget(budget: Budget): Promise<boolean>;
  /** The stored states of these expenses (strongly consistent), absent ones left out. */
  expenseStates(labelId: string, budgetId: string, expenseIds: string[]): Promise<Map<string, ExpenseState>>;
  hasVersion(labelId: string, budgetId: string, expenseId: string, at: string): Promise<boolean>;
  /**
   * False when a condition failed (a version already there, a state changed since it was read): nothing
   * written. Throws `TotalPastLimitError` when it would take a running total past `totalLimit`: nothing written.
   */
  writeLedger(labelId: string, budgetId: string, write: LedgerWrite): Promise<boolean>;
  /** Keeps a version refused for good (the same refusal again changes nothing). */
  keepRefused(labelId: string, budgetId: string, refusal: Refusal): Promise<void>;
  /** The running totals and their revision alone, as `ledger` answers them (strongly consistent): one item read, not the partition. */
  runningTotals(labelId: string, budgetId: string): Promise<Pick<Ledger, 'totals' | 'totalsRevision'>>;
  /**
   * Sets the running totals to the ledger's while they are still at `revision`; records the drift and its
   * event. Throws `TotalPastLimitError` when one of them passes `totalLimit`: nothing written.
   */
  repairTotals(
    labelId: string,
    budgetId: string,
    revision: number,
    totals: Counters,
    drift: DriftRecord,
    entries: OutboxEntry[],
  ): Promise<boolean>;
  /** Every budget, a page at a time. */
  budgetsPage(
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<{ labelId: string; budgetId: string; endsOn: string }>>;
  /** Puts one page of a fan-out's events once: false when that page was put before. */
  putFanOutPage(
    run: string,
    date: string,
    cursor: string | undefined,
    entries: OutboxEntry[],
  ): Promise<boolean>;
  /** Raises an alert once, with its event, on the reconciliation's `date`; answers whether its mail is still to be sent. */
  raiseAlert(
    labelId: string,
    budgetId: string,
    alertId: string,
    at: string,
    date: string,
    entry: OutboxEntry,
  ): Promise<{ mailed: boolean }>;
  markAlertMailed(labelId: string, budgetId: string, alertId: string): Promise<void>;
  /**
   * Keeps the day's result (for the report and the budget), once per budget and day, with its event, and
   * lists its owner for that day's report; once that report has begun, notes the result kept late for
   * the owner and lists them for the first report not begun yet (see docs/design.md#budgets).
   */
  saveDayResult(result: DayResult, entry: OutboxEntry): Promise<void>;
  /** Notes that the report of `date` has begun: it reads owners and results after this (strongly). */
  beginReport(date: string, at: string): Promise<void>;
  /**
   * The owner's results kept after their day's report began and not marked reported since, of days up to
   * `date` (strongly consistent), as kept.
   */
  lateResults(date: string, labelId: string, ownerEmail: string): Promise<DayResult[]>;
  /**
   * These of the owner's late results are in the report of `date` (or had nothing in them to report): no
   * later report reads them, and a retry of their write notes them late no more.
   */
  markLateReported(
    date: string,
    labelId: string,
    ownerEmail: string,
    results: Pick<DayResult, 'date' | 'budgetId'>[],
  ): Promise<void>;
  reportOwnersPage(
    date: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<{ labelId: string; ownerEmail: string }>>;
  dayResults(date: string, labelId: string, ownerEmail: string): Promise<DayResult[]>;
  /** Expenses held for budgets not known yet, every label's, first seen at or after `from` and before `before` (none if `from` is not before it). */
  heldExpenses(from: string | undefined, before: string): Promise<HeldExpense[]>;
  /** Where the last sweep of held expenses stopped: those first seen before it were reported. */
  heldSweptBefore(): Promise<string | undefined>;
  /** Moves the sweep's mark on to `before` (never back). */
  markHeldSwept(before: string): Promise<void>;
  /** Reports a held expense once, with its event, in the label's list of `date`: false when reported before. */
  reportHeld(date: string, held: HeldExpense, entry: OutboxEntry): Promise<boolean>;
  /** The held expenses the label's reports of `date` list. */
  heldReported(date: string, labelId: string): Promise<HeldExpense[]>;
  /**
   * Notes that the label's expense has versions in this budget (again changes nothing) and answers
   * every budget it has versions in, this one included (strongly consistent).
   */
  fileExpenseUnder(labelId: string, expenseId: string, budgetId: string): Promise<string[]>;
  /**
   * Every budget the label's expense is filed under (strongly consistent), filing nothing: a read
   * where filing again would change nothing but still cost a write.
   */
  expenseFiledUnder(labelId: string, expenseId: string): Promise<string[]>;
  /** Every version of one expense (strongly consistent): what it carried before its latest version. */
  expenseVersions(labelId: string, budgetId: string, expenseId: string): Promise<ExpenseVersion[]>;
  /**
   * Files one expense under a vendor invoice as of its state's `revision`: whether it carries the
   * invoice now (counted, with that vendor and number). A filing of an older revision than the one
   * stored changes nothing; a newer one raises the invoice's generation in the same write.
   */
  fileInvoice(labelId: string, invoice: InvoiceRef, filing: InvoiceFiling): Promise<void>;
  /** Every expense of the label filed under the invoice, and its generation (strongly consistent). */
  invoiceFilings(
    labelId: string,
    invoice: InvoiceRef,
  ): Promise<{ generation: number; filings: InvoiceFiling[] }>;
  /**
   * Sets the invoice's flag on one budget as computed from the filings of `generation`: the expenses
   * (of this and other budgets) that carry it (`carryingExpenses` of the filings), or none (no flag). A
   * flag of a later generation stays. One naming more than its item holds is read with the ledger as the
   * invoice's filings stand then, at that generation or a later one.
   */
  flagInvoice(labelId: string, budgetId: string, invoice: FlaggedInvoice, generation: number): Promise<void>;
  /**
   * Marks these budgets' owner unreachable (each budget, idempotently), then keeps the mark of the
   * mail with its event, once per mail: false when this mail was marked before (no second event).
   * A mail left out as suppressed marks only budgets no other mail has marked for the address, and
   * states its event only when it marked one and wins the owner's item (per label and address, with
   * the event): none there, its own, or one whose standing has ended (once per owner while the mark
   * stands, see docs/design.md#budgets).
   */
  markOwnerUnreachable(
    labelId: string,
    budgetIds: string[],
    mark: OwnerUnreachable,
    entry: OutboxEntry,
  ): Promise<boolean>;
  /** Keeps one version of a show's settlement (the same version again changes nothing). */
  saveSettlement(labelId: string, version: SettlementVersion): Promise<void>;
  /** Every settlement version of the tour's shows (strongly consistent). */
  tourSettlements(labelId: string, tourId: string): Promise<SettlementVersion[]>;
}

/**
 * A ledger write refused because it would take a running total past `totalLimit`, or `below` its
 * negative (a show's settlement may be a loss): nothing of it was written.
 */
export class TotalPastLimitError extends Error {
  readonly total: string;
  constructor(total: string, below = false) {
    super(
      below
        ? `${total} would pass -${totalLimit}, the smallest total Backline keeps`
        : `${total} would pass ${totalLimit}, the largest total Backline keeps`,
    );
    this.name = 'TotalPastLimitError';
    this.total = total;
  }
}

/**
 * A ledger write refused because its running totals would not fit their one item, an attribute a total,
 * in the 400 KB DynamoDB keeps in an item (a budget of some hundreds of recoupable artists with long ids):
 * nothing of it was written. `total` is the first total it would add (see docs/design.md#money).
 */
export class TotalsItemFullError extends TotalPastLimitError {
  constructor(total: string) {
    super(total);
    this.message = `${total} does not fit: a budget's running totals are one item, and DynamoDB keeps at most 400 KB in an item`;
    this.name = 'TotalsItemFullError';
  }
}

/** The first total `delta` adds that `held` lacks, if any. */
export const totalAdded = (held: (name: string) => boolean, delta: Counters): string | undefined =>
  Object.keys(delta).find((name) => delta[name] !== 0 && !held(name));

/** What a write too large for the totals' item is refused for: the first total it adds (`totalAdded`), else the first it adds to. */
export const firstTotalAdded = (held: (name: string) => boolean, delta: Counters): string =>
  totalAdded(held, delta) ?? Object.keys(delta).find((name) => delta[name] > 0) ?? Object.keys(delta)[0];

/** A running total's name as stated (the drift's `total`, a refusal's): `actual travel`. */
export const totalText = (name: string) => counterParts(name).join(' ');

/**
 * The running totals' update of a ledger write: `delta` added to the counters (ADD creates a missing
 * counter) and the revision moved by one, every write, an empty delta too; while still at `revision`,
 * if given (0: no write yet), and while no total it adds to passes `totalLimit`, nor any it takes
 * from goes below its negative (the write's own condition refuses it, not a read before it).
 */
function addCounters(delta: Counters, revision?: number) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':one': 1 };
  const within: string[] = [];
  const alone = pastLimit(() => 0, delta);
  if (alone) throw alone;
  const adds = Object.entries(delta).map(([name, value], i) => {
    names[`#c${i}`] = name;
    values[`:c${i}`] = value;
    if (value !== 0) {
      values[`:l${i}`] = value > 0 ? totalLimit - value : -totalLimit - value;
      within.push(`(attribute_not_exists(#c${i}) OR #c${i} ${value > 0 ? '<=' : '>='} :l${i})`);
    }
    return `#c${i} :c${i}`;
  });
  if (revision !== undefined) values[':revision'] = revision;
  const conditions = [
    ...(revision === undefined
      ? []
      : [`(${revision ? '' : 'attribute_not_exists(revision) OR '}revision = :revision)`]),
    ...within,
  ];
  return {
    UpdateExpression: `ADD ${[...adds, 'revision :one'].join(', ')}`,
    ...(adds.length > 0 ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
    ...(conditions.length > 0 ? { ConditionExpression: conditions.join(' AND ') } : {}),
    // What the totals held when refused: whether the revision moved or a total would pass the limit.
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

/**
 * Of a ledger write whose totals' update alone was refused, its refusal for the total it would take past
 * `totalLimit`, as the totals held when refused (`old`, as DynamoDB answers them: `{ N: '...' }`);
 * undefined when the revision had moved since the write's read: that refusal is read again, and judged
 * on that read.
 */
function totalPastLimit(write: LedgerWrite, old: Record<string, { N?: string }> | undefined) {
  const held = (name: string) => Number(old?.[name]?.N ?? 0);
  if (write.totalsRevision !== undefined && held('revision') !== write.totalsRevision) return undefined;
  return pastLimit(held, write.delta);
}

/**
 * The refusal of `delta` added to what each total holds (`held`), for the first total it would take past
 * `totalLimit` or below its negative, if any: the limit holds both ways (see docs/design.md#money).
 */
export function pastLimit(held: (name: string) => number, delta: Counters): TotalPastLimitError | undefined {
  const name = Object.keys(delta).find((name) =>
    delta[name] > 0 ? held(name) > totalLimit - delta[name] : held(name) < -totalLimit - delta[name],
  );
  return name === undefined ? undefined : new TotalPastLimitError(totalText(name), delta[name] < 0);
}

/** The item of a version refused for good (the same refusal again replaces it with itself). */
const refusedItem = (labelId: string, budgetId: string, refusal: Refusal) => ({
  ...refusedKey(labelId, budgetId, refusal.expenseId, refusal.at),
  entity: 'refused',
  ...refusal,
});

/** The item of one version of an expense (kept once: a repeated one is refused by its condition). */
export const versionItem = (labelId: string, budgetId: string, version: ExpenseVersion) => ({
  ...versionKey(labelId, budgetId, version.expenseId, version.at),
  entity: 'version',
  ...version,
});

/** The item of an expense as it stands, stored as revision + 1, with the sparse index keys it needs. */
export const stateItem = (labelId: string, budgetId: string, state: ExpenseState) => ({
  ...expenseKey(labelId, budgetId, state.expenseId),
  entity: 'expense',
  ...state,
  labelId,
  budgetId,
  revision: state.revision + 1,
  ...(state.recoupable
    ? {
        gsi1pk: keyOf('RECOUPABLE', labelId, state.recoupable.artistId),
        gsi1sk: keyParts(budgetId, state.expenseId),
      }
    : {}),
  ...(state.held
    ? { gsi2pk: heldIndexKey, gsi2sk: keyParts(state.firstSeenAt, labelId, budgetId, state.expenseId) }
    : {}),
});

export function dynamoBudgets(db: DynamoDBDocumentClient, table: string): BudgetStore {
  const get = async (key: Record<string, unknown>, consistent = false) =>
    (await db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: consistent }))).Item;

  const reads = dynamoBudgetReads(db, table);
  const reportBegun = async (date: string) => (await get(reportBegunKey(date), true)) !== undefined;
  const listOwner = (date: string, labelId: string, ownerEmail: string) =>
    db.send(
      new PutCommand({
        TableName: table,
        Item: { ...ownersKey(date, labelId, ownerEmail), labelId, ownerEmail },
      }),
    );
  return {
    ...reads,
    ...dynamoFxRates(db, table),
    async saveBudget(budget) {
      const item = {
        ...budgetKey(budget.labelId, budget.budgetId),
        entity: 'budget',
        ...budget,
        ...labelBudgetsIndexKey(budget.labelId, budget.scope, budget.budgetId),
        gsi2pk: 'BUDGETS#ALL',
        gsi2sk: keyParts(budget.labelId, budget.budgetId),
      };
      const names = Object.keys(item).filter((name) => name !== 'pk' && name !== 'sk');
      // The terms only: the last result and the ledger stay (sending a budget again keeps its ledger).
      return writtenUnlessRefused(
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: budgetKey(budget.labelId, budget.budgetId),
            UpdateExpression: `SET ${names.map((_, i) => `#n${i} = :v${i}`).join(', ')}`,
            // Newer terms only; at one label timestamp, the later event id (see docs/design.md#budgets).
            ConditionExpression:
              'attribute_not_exists(occurredAt) OR occurredAt < :occurredAt OR (occurredAt = :occurredAt AND termsAt < :termsAt)',
            ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#n${i}`, name])),
            ExpressionAttributeValues: {
              ...Object.fromEntries(names.map((name, i) => [`:v${i}`, item[name as keyof typeof item]])),
              ':occurredAt': budget.occurredAt,
              ':termsAt': budget.termsAt ?? budget.occurredAt,
            },
          }),
        ),
      );
    },

    async expenseStates(labelId, budgetId, expenseIds) {
      const found = await Promise.all(expenseIds.map((id) => get(expenseKey(labelId, budgetId, id), true)));
      return new Map(
        found.flatMap((item) => (item ? [[String(item.expenseId), stateOf(item)] as const] : [])),
      );
    },

    async fileExpenseUnder(labelId, expenseId, budgetId) {
      const { Attributes } = await db.send(
        new UpdateCommand({
          TableName: table,
          Key: expenseBudgetsKey(labelId, expenseId),
          // A set: filing under the same budget again changes nothing.
          UpdateExpression: 'ADD budgets :budget SET entity = :entity',
          ExpressionAttributeValues: { ':budget': new Set([budgetId]), ':entity': 'expense-budgets' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return [...((Attributes?.budgets as Set<string> | undefined) ?? [])].sort();
    },

    async expenseFiledUnder(labelId, expenseId) {
      const item = await get(expenseBudgetsKey(labelId, expenseId), true);
      return [...((item?.budgets as Set<string> | undefined) ?? [])].sort();
    },

    async hasVersion(labelId, budgetId, expenseId, at) {
      return (await get(versionKey(labelId, budgetId, expenseId, at), true)) !== undefined;
    },

    async writeLedger(labelId, budgetId, write) {
      try {
        // Sent again as it is after a conflict: its conditions hold the states it was computed from.
        await retryingConflicts(() =>
          db.send(
            new TransactWriteCommand({
              TransactItems: [
                ...write.versions.map((version) => ({
                  Put: {
                    TableName: table,
                    Item: versionItem(labelId, budgetId, version),
                    // A version is kept once: the same event again changes nothing.
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                })),
                ...write.states.map((state) => ({
                  Put: {
                    TableName: table,
                    Item: stateItem(labelId, budgetId, state),
                    // Optimistic lock: the state is the one this change was computed from.
                    ConditionExpression:
                      state.revision === 0 ? 'attribute_not_exists(pk)' : 'revision = :revision',
                    ...(state.revision === 0
                      ? {}
                      : { ExpressionAttributeValues: { ':revision': state.revision } }),
                  },
                })),
                ...(write.checks ?? []).map((check) => ({
                  ConditionCheck: {
                    TableName: table,
                    Key: expenseKey(labelId, check.budgetId, check.expenseId),
                    // What another budget said when this was computed: changed since, it is computed again.
                    ConditionExpression:
                      check.revision === 0 ? 'attribute_not_exists(pk)' : 'revision = :revision',
                    ...(check.revision === 0
                      ? {}
                      : { ExpressionAttributeValues: { ':revision': check.revision } }),
                  },
                })),
                ...(write.terms === undefined
                  ? []
                  : [
                      {
                        ConditionCheck: {
                          TableName: table,
                          Key: budgetKey(labelId, budgetId),
                          // The terms the version's rate was named under, still in force (terms stored
                          // before versions are known by their timestamp: termsVersion).
                          ConditionExpression:
                            'termsAt = :terms OR (attribute_not_exists(termsAt) AND occurredAt = :terms)',
                          ExpressionAttributeValues: { ':terms': write.terms },
                        },
                      },
                    ]),
                ...(write.refused ?? []).flatMap((refusal) => [
                  {
                    Delete: {
                      TableName: table,
                      Key: versionKey(labelId, budgetId, refusal.expenseId, refusal.at),
                      ConditionExpression: 'attribute_exists(pk)',
                    },
                  },
                  { Put: { TableName: table, Item: refusedItem(labelId, budgetId, refusal) } },
                ]),
                ...(write.drift
                  ? [
                      driftPut(table, labelId, budgetId, write.drift.record, driftOf(write)),
                      ...write.drift.entries.map((entry) => outboxPut(table, entry, write.drift!.record.at)),
                    ]
                  : []),
                // The running totals change in the same transaction as the ledger: they always equal it.
                // Their revision moves with every write: no extra item where the delta updates them already.
                {
                  Update: {
                    TableName: table,
                    Key: totalsKey(labelId, budgetId),
                    ...addCounters(write.delta, write.totalsRevision),
                  },
                },
              ],
            }),
          ),
        );
        return true;
      } catch (error) {
        // The totals' update (the last item) would not fit its item: refused for good, as a total past the limit.
        if (itemsTooLarge(error)?.at(-1) && Object.keys(write.delta).length > 0) {
          const held = countersOf(await get(totalsKey(labelId, budgetId), true));
          throw new TotalsItemFullError(totalText(firstTotalAdded((name) => name in held, write.delta)));
        }
        const failed = failedConditions(error);
        // The totals' update (the last item) alone refused: a total past the limit is refused for good.
        if (failed?.at(-1) && failed.filter(Boolean).length === 1) {
          const refusal = totalPastLimit(write, refusedItems(error)?.at(-1));
          if (refusal) throw refusal;
        }
        if (failed?.some(Boolean)) return false;
        throw error;
      }
    },

    async keepRefused(labelId, budgetId, refusal) {
      await db.send(new PutCommand({ TableName: table, Item: refusedItem(labelId, budgetId, refusal) }));
    },

    async runningTotals(labelId, budgetId) {
      const item = await get(totalsKey(labelId, budgetId), true);
      return { totals: countersOf(item), totalsRevision: Number(item?.revision ?? 0) };
    },

    async repairTotals(labelId, budgetId, revision, totals, drift, entries) {
      // No running total is set past the limit, as none is added past it (a number past 2^53 - 1 is
      // not even one the SDK writes from a number).
      const past = pastLimit(() => 0, totals);
      if (past) throw past;
      const current = await get(totalsKey(labelId, budgetId), true);
      // Moved since: the write's condition would refuse it (the reconciliation reads again).
      if (Number(current?.revision ?? 0) !== revision) return false;
      // Only the totals that differ: an expression takes 4 KB (some 300 totals set), and a budget may keep
      // hundreds (a total a recoupable artist); those that do not differ are as the revision held them.
      const held = countersOf(current);
      const names = [...new Set([...Object.keys(held), ...Object.keys(totals)])].filter(
        (name) => (held[name] ?? 0) !== (totals[name] ?? 0),
      );
      const set = names.filter((name) => totals[name]);
      const remove = names.filter((name) => !totals[name]);
      const attributeNames = Object.fromEntries(names.map((name, i) => [`#c${i}`, name]));
      const nameOf = (name: string) => `#c${names.indexOf(name)}`;
      const expression = [
        `SET ${[...set.map((name) => `${nameOf(name)} = :c${names.indexOf(name)}`), 'revision = :next'].join(', ')}`,
        remove.length > 0 ? `REMOVE ${remove.map(nameOf).join(', ')}` : '',
      ].join(' ');
      // Past the totals' item (400 KB): refused for good, as a ledger write adding those totals is.
      const tooLarge = (error: unknown) => {
        if (!itemsTooLarge(error)?.[0]) throw error;
        throw new TotalsItemFullError(totalText(firstTotalAdded((name) => name in held, totals)));
      };
      return writeWithOutbox(
        db,
        [
          {
            Update: {
              TableName: table,
              Key: totalsKey(labelId, budgetId),
              UpdateExpression: expression,
              // Only the totals that were compared with the ledger: a change since then retries the reconciliation.
              ConditionExpression:
                revision === 0
                  ? 'attribute_not_exists(revision) OR revision = :revision'
                  : 'revision = :revision',
              ...(names.length > 0 ? { ExpressionAttributeNames: attributeNames } : {}),
              ExpressionAttributeValues: {
                ...Object.fromEntries(set.map((name) => [`:c${names.indexOf(name)}`, totals[name]])),
                ':revision': revision,
                ':next': revision + 1,
              },
            },
          },
          driftPut(table, labelId, budgetId, drift),
        ],
        entries,
        drift.at,
      ).catch(tooLarge);
    },

    async budgetsPage(cursor, limit) {
      const result = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :all',
          ExpressionAttributeValues: { ':all': 'BUDGETS#ALL' },
          ProjectionExpression: 'labelId, budgetId, #period',
          ExpressionAttributeNames: { '#period': 'period' },
          Limit: limit,
          ExclusiveStartKey: keyOfCursor(cursor),
        }),
      );
      return {
        items: (result.Items ?? []).map((item) => ({
          labelId: item.labelId,
          budgetId: item.budgetId,
          endsOn: item.period?.end,
        })),
        ...(result.LastEvaluatedKey ? { cursor: cursorOfKey(result.LastEvaluatedKey) } : {}),
      };
    },

    putFanOutPage(run, date, cursor, entries) {
      const at = new Date().toISOString();
      // Once per page: a repeated schedule event or a retried page puts no second set of events.
      const marker = putOnce(table, runPageKey(run, date, cursor), 'fan-out-page', at, {
        events: entries.length,
      });
      return writeWithOutbox(db, [marker], entries, at);
    },

    async raiseAlert(labelId, budgetId, alertId, at, date, entry) {
      const raised = await writeWithOutbox(
        db,
        [
          {
            Put: {
              TableName: table,
              Item: { ...alertKey(labelId, budgetId, alertId), entity: 'alert', alertId, raisedAt: at, date },
              // Each alert once per budget, threshold (or line), period and plan: its event goes out with it, once.
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
        [entry],
        at,
      );
      if (raised) return { mailed: false };
      return { mailed: (await get(alertKey(labelId, budgetId, alertId), true))?.mailed === true };
    },

    async markAlertMailed(labelId, budgetId, alertId) {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: alertKey(labelId, budgetId, alertId),
          UpdateExpression: 'SET mailed = :yes',
          ExpressionAttributeValues: { ':yes': true },
        }),
      );
    },

    async saveDayResult(result, entry) {
      const day = {
        Put: {
          TableName: table,
          Item: {
            ...dayKey(result.date, result.labelId, result.owner.email, result.budgetId),
            entity: 'budget-day',
            ...result,
          },
          // One result (and one Budget Reconciled) per budget and day.
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
      const budget = {
        TableName: table,
        Key: budgetKey(result.labelId, result.budgetId),
        ExpressionAttributeNames: { '#date': 'date' },
        ExpressionAttributeValues: { ':date': result.date },
      };
      // The budget's last result is its latest day's: a late day (its reconciliation redriven) keeps
      // its own result but leaves a later one in place (see docs/design.md#budgets). Refused, the
      // write is tried once more with the budget's later day checked instead: lastResult never goes
      // back, so a second refusal is the day kept before (or no such budget), and writes nothing.
      (await writeWithOutbox(
        db,
        [
          day,
          {
            Update: {
              ...budget,
              UpdateExpression: 'SET lastResult = :result',
              ConditionExpression:
                'attribute_exists(pk) AND (attribute_not_exists(lastResult) OR lastResult.#date <= :date)',
              ExpressionAttributeValues: { ...budget.ExpressionAttributeValues, ':result': result },
            },
          },
        ],
        [entry],
        result.reconciledAt,
      )) ||
        (await writeWithOutbox(
          db,
          [day, { ConditionCheck: { ...budget, ConditionExpression: 'lastResult.#date > :date' } }],
          [entry],
          result.reconciledAt,
        ));
      // The owner is listed for the 07:30 report whether this write kept the result or refused it as
      // kept before: an attempt that kept it may have failed before listing the owner, and its retry is
      // refused. A plain put of the same item, so listing again changes nothing; an owner listed with no
      // result that day gets no report.
      const { labelId, budgetId, owner } = result;
      await listOwner(result.date, labelId, owner.email);
      // Read after the listing, strongly: a report begun after this read reads the owner and the result
      // (strongly too); one begun before may have passed the owner, so the result is noted late for the
      // owner's next report, which reads it (see docs/design.md#budgets). A retry notes it again unless a
      // report has read it since.
      if (!(await reportBegun(result.date))) return;
      const noted = await writeWithOutbox(
        db,
        [
          {
            Put: {
              TableName: table,
              Item: {
                ...lateKey(labelId, owner.email, result.date, budgetId),
                entity: 'budget-late',
                date: result.date,
                budgetId,
              },
            },
          },
          // Not once a report has read it: a retry delivered after that report notes it no more.
          {
            ConditionCheck: {
              TableName: table,
              Key: dayKey(result.date, labelId, owner.email, budgetId),
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(lateReportedOn)',
            },
          },
        ],
        [],
        result.reconciledAt,
      );
      if (!noted) return;
      // The first report not begun: listed, then read again, as above (one begun since: the day after).
      for (let next = addDays(result.date, 1); ; next = addDays(next, 1)) {
        if (await reportBegun(next)) continue;
        await listOwner(next, labelId, owner.email);
        if (!(await reportBegun(next))) return;
      }
    },

    async beginReport(date, at) {
      await db.send(
        new PutCommand({ TableName: table, Item: { ...reportBegunKey(date), entity: 'budget-report', at } }),
      );
    },

    async lateResults(date, labelId, ownerEmail) {
      const found: DayResult[] = [];
      for await (const page of paginateQuery(
        { client: db },
        {
          TableName: table,
          // Days up to `date`: a sort key starts with its day, before the next day's.
          KeyConditionExpression: 'pk = :pk AND sk < :after',
          ExpressionAttributeValues: {
            ':pk': keyOf('BUDGET-LATE', labelId, ownerEmail),
            ':after': addDays(date, 1),
          },
          ConsistentRead: true,
        },
      ))
        for (const item of page.Items ?? []) {
          const kept = await get(dayKey(item.date, labelId, ownerEmail, item.budgetId), true);
          if (kept) found.push(dayResultOf(kept));
        }
      return found;
    },

    async markLateReported(date, labelId, ownerEmail, results) {
      // The result marked with its note gone, together: no report reads it again, no retry notes it again.
      for (const { date: day, budgetId } of results)
        await retryingConflicts(() =>
          db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: table,
                    Key: dayKey(day, labelId, ownerEmail, budgetId),
                    UpdateExpression: 'SET lateReportedOn = :date',
                    ExpressionAttributeValues: { ':date': date },
                  },
                },
                { Delete: { TableName: table, Key: lateKey(labelId, ownerEmail, day, budgetId) } },
              ],
            }),
          ),
        );
    },

    async reportOwnersPage(date, cursor, limit) {
      const result = await db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keyOf('BUDGET-OWNERS', date) },
          // Strong, as dayResults: every result kept before the report began is read (see saveDayResult).
          ConsistentRead: true,
          Limit: limit,
          ExclusiveStartKey: keyOfCursor(cursor),
        }),
      );
      return {
        items: (result.Items ?? []).map((item) => ({ labelId: item.labelId, ownerEmail: item.ownerEmail })),
        ...(result.LastEvaluatedKey ? { cursor: cursorOfKey(result.LastEvaluatedKey) } : {}),
      };
    },

    async dayResults(date, labelId, ownerEmail) {
      const found: DayResult[] = [];
      for await (const page of paginateQuery(
        { client: db },
        {
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keyOf('BUDGET-DAY', date, labelId, ownerEmail) },
          ConsistentRead: true,
        },
      ))
        for (const item of page.Items ?? []) found.push(dayResultOf(item));
      return found;
    },

    async heldExpenses(from, before) {
      const found: HeldExpense[] = [];
      // An empty window (a report of an earlier day delivered late): DynamoDB refuses a BETWEEN upside down.
      if (from && from >= before) return found;
      for await (const page of paginateQuery(
        { client: db },
        {
          TableName: table,
          IndexName: 'gsi2',
          // A sort key starts with the first-seen time: BETWEEN takes those from `from` up to `before`, not at it.
          KeyConditionExpression: from
            ? 'gsi2pk = :held AND gsi2sk BETWEEN :from AND :before'
            : 'gsi2pk = :held AND gsi2sk < :before',
          ExpressionAttributeValues: {
            ':held': heldIndexKey,
            ':before': before,
            ...(from ? { ':from': from } : {}),
          },
        },
      ))
        for (const item of page.Items ?? []) {
          // The index is eventually consistent: an expense counted a moment ago may still be listed.
          if (item.held === true) found.push(heldOf(item));
        }
      return found;
    },

    async heldSweptBefore() {
      return (await get(heldSweepKey, true))?.before;
    },

    async markHeldSwept(before) {
      await writtenUnlessRefused(
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: heldSweepKey,
            UpdateExpression: 'SET #before = :before',
            ConditionExpression: 'attribute_not_exists(#before) OR #before < :before',
            ExpressionAttributeNames: { '#before': 'before' },
            ExpressionAttributeValues: { ':before': before },
          }),
        ),
      );
    },

    reportHeld: (date, held, entry) =>
      writeWithOutbox(
        db,
        [
          {
            Put: {
              TableName: table,
              Item: {
                ...heldReportedKey(held.labelId, held.budgetId, held.expenseId),
                entity: 'held-reported',
                reportedOn: date,
              },
              // Once per expense: a later sweep, or this one again, reports it no more.
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: table,
              Item: {
                ...heldDayKey(date, held.labelId, held.budgetId, held.expenseId),
                entity: 'held-day',
                ...held,
              },
            },
          },
        ],
        [entry],
        new Date().toISOString(),
      ),

    async heldReported(date, labelId) {
      const found: HeldExpense[] = [];
      for await (const page of paginateQuery(
        { client: db },
        {
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keyOf('BUDGET-HELD-DAY', date, labelId) },
        },
      ))
        for (const item of page.Items ?? []) {
          const { pk: _p, sk: _s, entity: _e, ...held } = item;
          found.push(held as HeldExpense);
        }
      return found;
    },

    async expenseVersions(labelId, budgetId, expenseId) {
      const found: ExpenseVersion[] = [];
      for await (const page of paginateQuery(
        { client: db },
        {
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': budgetPartition(labelId, budgetId),
            ':prefix': `${keyOf('VERSION', expenseId)}#`,
          },
          ConsistentRead: true,
        },
      ))
        for (const item of page.Items ?? []) {
          const { pk: _p, sk: _s, entity: _e, ...version } = item;
          found.push(version as ExpenseVersion);
        }
      return found;
    },

    async fileInvoice(labelId, invoice, filing) {
      try {
        await retryingConflicts(() =>
          db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: table,
                    Item: {
                      ...invoiceKey(labelId, invoice, filing.budgetId, filing.expenseId),
                      entity: 'invoice',
                      ...filing,
                    },
                    // The expense's state orders its filings: one read before a later change arrives late.
                    ConditionExpression: 'attribute_not_exists(pk) OR revision < :revision',
                    ExpressionAttributeValues: { ':revision': filing.revision },
                  },
                },
                {
                  Update: {
                    TableName: table,
                    Key: invoiceGenerationKey(labelId, invoice),
                    UpdateExpression: 'ADD generation :one',
                    ExpressionAttributeValues: { ':one': 1 },
                  },
                },
              ],
            }),
          ),
        );
      } catch (error) {
        if (!failedConditions(error)?.some(Boolean)) throw error;
      }
    },

    async invoiceFilings(labelId, invoice) {
      // The generation first: the filings read after it are at least that generation's.
      const head = await get(invoiceGenerationKey(labelId, invoice), true);
      const filings = await readInvoiceFilings(db, table, labelId, invoice, true);
      return { generation: Number(head?.generation ?? 0), filings };
    },

    async flagInvoice(labelId, budgetId, invoice, generation) {
      const { expenses, ...named } = invoice;
      await writtenUnlessRefused(
        db.send(
          new PutCommand({
            TableName: table,
            Item: {
              ...duplicateKey(labelId, budgetId, invoice.vendor, invoice.invoiceNumber),
              entity: 'duplicate',
              ...named,
              // Thousands of expenses on one invoice would pass the item's 400 KB: the filings name them.
              ...(listedBytes(expenses) <= flaggedExpensesBytes ? { expenses } : { expensesFiled: true }),
              generation,
            },
            // Flags computed from filings of different moments: the latest generation's stays.
            ConditionExpression:
              'attribute_not_exists(pk) OR attribute_not_exists(generation) OR generation < :generation',
            ExpressionAttributeValues: { ':generation': generation },
          }),
        ),
      );
    },

    async markOwnerUnreachable(labelId, budgetIds, mark, entry) {
      const suppressed = mark.reason === 'suppressed';
      let won = false;
      for (const budgetId of budgetIds)
        if (
          (await writtenUnlessRefused(
            db.send(
              new UpdateCommand({
                TableName: table,
                Key: budgetKey(labelId, budgetId),
                UpdateExpression: 'SET ownerUnreachable = :mark',
                // A mail left out as suppressed never replaces another mail's mark of the same address
                // (a bounce or complaint says more; another left-out mail has stated it already), nor its
                // own, which keeps its `at`: its event is stated only when its own mark is there (see
                // docs/design.md#budgets).
                ConditionExpression: suppressed
                  ? 'attribute_exists(pk) AND (attribute_not_exists(ownerUnreachable) OR ownerUnreachable.address <> :address)'
                  : 'attribute_exists(pk)',
                ExpressionAttributeValues: {
                  ':mark': mark,
                  ...(suppressed ? { ':address': mark.address } : {}),
                },
              }),
            ),
          )) ||
          (suppressed && ownMark((await reads.getBudget(labelId, budgetId))?.ownerUnreachable, mark))
        )
          won = true;
      if (suppressed && !won) return false;
      // Once per mail: SES and the bus may repeat a bounce, the owner's watchers hear of it once.
      const undeliverable = {
        Put: {
          TableName: table,
          Item: {
            ...undeliverableKey(mark.deliveryId),
            entity: 'budget-mail-undeliverable',
            labelId,
            ...mark,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
      if (!suppressed) return writeWithOutbox(db, [undeliverable], [entry], mark.at);
      // Two mails left out at once may each win one budget's mark first: the owner's one item, written
      // with the event, decides which states it (see docs/design.md#budgets). It is this mail's (a retry),
      // or none is there, or the standing it records has ended (it is replaced only as read).
      const standing = (condition: string, values: Record<string, unknown>) =>
        writeWithOutbox(
          db,
          [
            {
              Put: {
                TableName: table,
                Item: {
                  ...ownerSuppressedKey(labelId, mark.address),
                  entity: 'budget-owner-suppressed',
                  labelId,
                  address: mark.address,
                  deliveryId: mark.deliveryId,
                  budgetIds,
                  at: mark.at,
                },
                ConditionExpression: condition,
                ExpressionAttributeValues: values,
              },
            },
            undeliverable,
          ],
          [entry],
          mark.at,
        );
      if (
        await standing('attribute_not_exists(pk) OR deliveryId = :deliveryId', {
          ':deliveryId': mark.deliveryId,
        })
      )
        return true;
      const stated = await get(ownerSuppressedKey(labelId, mark.address), true);
      if (!stated || stated.deliveryId === mark.deliveryId) return false;
      const named = await Promise.all(
        (stated.budgetIds as string[]).map((budgetId) => reads.getBudget(labelId, budgetId)),
      );
      if (suppressedMarkStands(mark.address, named, mark.deliveryId, String(stated.at))) return false;
      return standing('deliveryId = :stated', { ':stated': stated.deliveryId });
    },

    async saveSettlement(labelId, version) {
      const { tourId, showId } = version.settlement;
      await db.send(
        new PutCommand({
          TableName: table,
          Item: { ...settlementKey(labelId, tourId, showId, version.at), entity: 'settlement', ...version },
        }),
      );
    },

    async tourSettlements(labelId, tourId) {
      const found: SettlementVersion[] = [];
      for await (const page of paginateQuery(
        { client: db },
        {
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': settlementsPartition(labelId, tourId) },
          ConsistentRead: true,
        },
      ))
        for (const { at, receivedAt, settlement } of page.Items ?? [])
          found.push({ at, receivedAt, settlement } as SettlementVersion);
      return found;
    },
  };
}

/** DynamoDB: TransactWriteItems takes 100 items; a fan-out page is its marker and at most 99 events. */
export const maxFanOutEntries = 99;
