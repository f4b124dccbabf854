import { budgetRoutes } from '#functions/office/budgets.ts';
import {
  type Budget,
  type Counters,
  duplicatesSummary,
  type ExpenseState,
  type ExpenseVersion,
  type FlaggedInvoice,
  invoiceOf,
  termsVersion,
} from '#shared/budgets/ledger.ts';
import { addDays } from '#shared/days.ts';
import { labelBudgetRow, labelBudgetsStartKey, type ScopeAsked } from '#shared/db/budget-reads.ts';
import type {
  BudgetStore,
  DayResult,
  DriftRecord,
  HeldExpense,
  InvoiceFiling,
  InvoiceRef,
  Ledger,
  LedgerWrite,
  OwnerUnreachable,
  Refusal,
  SettlementVersion,
  StoredBudget,
} from '#shared/db/budgets.ts';
import {
  driftOf,
  firstTotalAdded,
  ownMark,
  pastLimit,
  suppressedMarkStands,
  TotalsItemFullError,
  totalsKey,
  totalText,
} from '#shared/db/budgets.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import { byParts } from '#shared/http/cursor.ts';
import { managementApi } from '#shared/http/manager-api.ts';
import { indexPage } from '#test/support/index-page.ts';
import { InMemoryLabels } from '#test/support/intake.ts';

const key = (...parts: string[]) => JSON.stringify(parts);
const clone = <T>(value: T): T => structuredClone(value);

/**
 * A budget's reconciled day, on track, with nothing over, unconverted or drifting; reconciled at
 * 07:00 UTC on its date unless told.
 */
export const aDayResult = (overrides: Partial<DayResult> = {}): DayResult => {
  const date = overrides.date ?? '2027-03-01';
  return {
    labelId: 'lbl-1',
    budgetId: 'bud-1',
    date,
    owner: { name: 'Ola Owner', email: 'ola@label.example' },
    scope: { kind: 'release', id: 'rel-1' },
    currency: 'EUR',
    planned: 100_000,
    committed: 0,
    actual: 50_000,
    income: 0,
    remaining: 50_000,
    usedPercent: 50,
    vat: 0,
    burnRate7: 0,
    burnRate30: 0,
    forecastAtEnd: 90_000,
    runsOutOn: null,
    variance: 0,
    status: 'on-track',
    linesOver: [],
    unconverted: { count: 0, byCurrency: {}, first: [], more: 0 },
    possibleDuplicates: duplicatesSummary([]),
    drift: [],
    alerts: [],
    changed: true,
    reconciledAt: `${date}T07:00:00.000Z`,
    ...overrides,
  };
};

/** Budgets, ledger and totals in memory, with the table's conditions (see test/contracts/budget-store.contract.ts). */
/**
 * An item as DynamoDB sizes it: each attribute's name in UTF-8 and its value, a number a byte for every
 * two significant digits and one more.
 */
const itemBytes = (item: Record<string, string | number>) =>
  Object.entries(item).reduce(
    (bytes, [name, value]) =>
      bytes +
      Buffer.byteLength(name) +
      (typeof value === 'number'
        ? Math.ceil(String(Math.abs(value)).replace(/\.|0+$/g, '').length / 2) + 1
        : Buffer.byteLength(value)),
    0,
  );

export class InMemoryBudgets implements BudgetStore {
  readonly budgets = new Map<string, StoredBudget>();
  readonly totals = new Map<string, { counters: Counters; revision: number }>();
  readonly states = new Map<string, ExpenseState>();
  readonly versions = new Map<string, ExpenseVersion>();
  readonly alerts = new Map<string, Ledger['alerts'][number]>();
  readonly drift = new Map<string, Map<string, DriftRecord>>();
  readonly refused = new Map<string, Refusal>();
  readonly days = new Map<string, DayResult>();
  readonly owners = new Map<string, Set<string>>();
  /** The days whose report has begun. */
  readonly reportsBegun = new Set<string>();
  /** Results kept after their day's report began, not reported since: [labelId, ownerEmail, date, budgetId]. */
  readonly late = new Set<string>();
  /** The keys of `days` a report read as late. */
  readonly lateReported = new Set<string>();
  readonly pages = new Set<string>();
  readonly fx = new Map<string, Record<string, string>>();
  readonly settlements = new Map<string, SettlementVersion>();
  readonly undeliverable = new Set<string>();
  /** Per label and address: the mail left out as suppressed that stated the owner, and the budgets it named. */
  readonly ownersSuppressed = new Map<string, { deliveryId: string; budgetIds: string[]; at: string }>();
  readonly invoices = new Map<string, { generation: number; filings: InvoiceFiling[] }>();
  readonly flags = new Map<string, FlaggedInvoice & { generation: number }>();
  readonly heldReportedOn = new Map<string, string>();
  readonly heldDays = new Map<string, HeldExpense>();
  heldSwept: string | undefined;
  /** Every outbox entry written, in order. */
  readonly published: OutboxEntry[] = [];

  async saveBudget(budget: Budget) {
    const k = key(budget.labelId, budget.budgetId);
    const current = this.budgets.get(k);
    if (
      current &&
      (current.occurredAt > budget.occurredAt ||
        (current.occurredAt === budget.occurredAt &&
          !(current.termsAt && budget.termsAt && current.termsAt < budget.termsAt)))
    )
      return false;
    // The terms only, as the table's SET of their fields: what else the item holds (the last result, an
    // owner's unreachable mark) stays (see docs/design.md#budgets).
    this.budgets.set(k, { ...current, ...clone(budget) });
    return true;
  }

  async getBudget(labelId: string, budgetId: string) {
    return clone(this.budgets.get(key(labelId, budgetId)));
  }

  async expenseStates(labelId: string, budgetId: string, expenseIds: string[]) {
    const found = new Map<string, ExpenseState>();
    for (const id of expenseIds) {
      const state = this.states.get(key(labelId, budgetId, id));
      if (state) found.set(id, clone(state));
    }
    return found;
  }

  readonly expenseBudgets = new Map<string, Set<string>>();

  async fileExpenseUnder(labelId: string, expenseId: string, budgetId: string) {
    const k = key(labelId, expenseId);
    const budgets = this.expenseBudgets.get(k) ?? new Set<string>();
    budgets.add(budgetId);
    this.expenseBudgets.set(k, budgets);
    return [...budgets].sort();
  }

  async expenseFiledUnder(labelId: string, expenseId: string) {
    return [...(this.expenseBudgets.get(key(labelId, expenseId)) ?? [])].sort();
  }

  async hasVersion(labelId: string, budgetId: string, expenseId: string, at: string) {
    return this.versions.has(key(labelId, budgetId, expenseId, at));
  }

  async writeLedger(labelId: string, budgetId: string, write: LedgerWrite) {
    // One transaction, as DynamoDB takes it: at most 100 items (a refusal is two, a drift its record and events).
    const items =
      write.versions.length +
      write.states.length +
      (write.checks?.length ?? 0) +
      (write.terms === undefined ? 0 : 1) +
      2 * (write.refused?.length ?? 0) +
      (write.drift ? 1 + write.drift.entries.length : 0) +
      1;
    if (items > 100)
      throw Object.assign(new Error('Member must have length less than or equal to 100'), {
        name: 'ValidationException',
      });
    if (write.versions.some((v) => this.versions.has(key(labelId, budgetId, v.expenseId, v.at))))
      return false;
    if (write.refused?.some((r) => !this.versions.has(key(labelId, budgetId, r.expenseId, r.at))))
      return false;
    if (write.terms !== undefined && termsVersion(this.budgets.get(key(labelId, budgetId))) !== write.terms)
      return false;
    for (const check of write.checks ?? [])
      if ((this.states.get(key(labelId, check.budgetId, check.expenseId))?.revision ?? 0) !== check.revision)
        return false;
    for (const state of write.states) {
      const stored = this.states.get(key(labelId, budgetId, state.expenseId));
      if ((stored?.revision ?? 0) !== state.revision) return false;
    }
    const totals = this.totalsOf(labelId, budgetId);
    if (write.totalsRevision !== undefined && totals.revision !== write.totalsRevision) return false;
    // No running total past the limit, as the totals' update's condition refuses it (see docs/design.md#money).
    const past = pastLimit((name) => totals.counters[name] ?? 0, write.delta);
    if (past) throw past;
    // Nor running totals past the 400 KB DynamoDB keeps in their one item (the contract holds both to it).
    const after = { ...totals.counters };
    for (const [name, value] of Object.entries(write.delta)) after[name] = (after[name] ?? 0) + value;
    if (itemBytes({ ...totalsKey(labelId, budgetId), revision: totals.revision + 1, ...after }) > 400 * 1024)
      throw new TotalsItemFullError(
        totalText(firstTotalAdded((name) => name in totals.counters, write.delta)),
      );
    for (const v of write.versions) this.versions.set(key(labelId, budgetId, v.expenseId, v.at), clone(v));
    for (const refusal of write.refused ?? []) {
      this.versions.delete(key(labelId, budgetId, refusal.expenseId, refusal.at));
      this.refused.set(key(labelId, budgetId, refusal.expenseId, refusal.at), clone(refusal));
    }
    for (const state of write.states)
      this.states.set(key(labelId, budgetId, state.expenseId), {
        ...clone(state),
        revision: state.revision + 1,
      });
    // The revision moves with every write, an empty delta too (see docs/design.md#budgets).
    for (const [name, value] of Object.entries(write.delta))
      totals.counters[name] = (totals.counters[name] ?? 0) + value;
    totals.revision++;
    if (write.drift) {
      // Kept by its record's key, as DynamoDB keeps it: a second write of one key replaces the first.
      this.keepDrift(labelId, budgetId, write.drift.record, driftOf(write));
      this.published.push(...write.drift.entries);
    }
    return true;
  }

  async keepRefused(labelId: string, budgetId: string, refusal: Refusal) {
    this.refused.set(key(labelId, budgetId, refusal.expenseId, refusal.at), clone(refusal));
  }

  private keepDrift(labelId: string, budgetId: string, record: DriftRecord, of: string[]) {
    const k = key(labelId, budgetId);
    const kept = this.drift.get(k) ?? new Map<string, DriftRecord>();
    kept.set(key(record.date, record.at, ...of), clone(record));
    this.drift.set(k, kept);
  }

  private totalsOf(labelId: string, budgetId: string) {
    const k = key(labelId, budgetId);
    let totals = this.totals.get(k);
    if (!totals) {
      totals = { counters: {}, revision: 0 };
      this.totals.set(k, totals);
    }
    return totals;
  }

  private inBudget<T>(map: Map<string, T>, labelId: string, budgetId: string): T[] {
    const prefix = key(labelId, budgetId).slice(0, -1);
    return [...map].filter(([k]) => k.startsWith(`${prefix},`)).map(([, v]) => clone(v));
  }

  async ledger(labelId: string, budgetId: string): Promise<Ledger> {
    return {
      budget: clone(this.budgets.get(key(labelId, budgetId))),
      ...(await this.runningTotals(labelId, budgetId)),
      states: this.inBudget(this.states, labelId, budgetId),
      versions: this.inBudget(this.versions, labelId, budgetId),
      alerts: this.inBudget(this.alerts, labelId, budgetId),
      drift: clone([...(this.drift.get(key(labelId, budgetId))?.values() ?? [])]),
      flagged: this.inBudget(this.flags, labelId, budgetId)
        .filter((flag) => flag.expenses.length > 0)
        .map(({ generation: _g, ...flag }) => flag),
      refused: this.inBudget(this.refused, labelId, budgetId),
    };
  }

  async *driftFrom(labelId: string, budgetId: string, from: { date: string; at: string } | undefined) {
    const instant = (record: { date: string; at: string }) => [record.date, record.at];
    yield* [...(this.drift.get(key(labelId, budgetId))?.values() ?? [])]
      .filter((record) => !from || byParts(instant(record), instant(from)) >= 0)
      .sort((a, b) => byParts(instant(a), instant(b)))
      .map(clone);
  }

  async runningTotals(labelId: string, budgetId: string) {
    const totals = this.totals.get(key(labelId, budgetId));
    return {
      totals: Object.fromEntries(Object.entries(totals?.counters ?? {}).filter(([, v]) => v !== 0)),
      totalsRevision: totals?.revision ?? 0,
    };
  }

  async repairTotals(
    labelId: string,
    budgetId: string,
    revision: number,
    counters: Counters,
    drift: DriftRecord,
    entries: OutboxEntry[],
  ) {
    const past = pastLimit(() => 0, counters);
    if (past) throw past;
    const totals = this.totalsOf(labelId, budgetId);
    if (totals.revision !== revision) return false;
    const kept = Object.fromEntries(Object.entries(counters).filter(([, value]) => value !== 0));
    if (itemBytes({ ...totalsKey(labelId, budgetId), revision: revision + 1, ...kept }) > 400 * 1024)
      throw new TotalsItemFullError(totalText(firstTotalAdded((name) => name in totals.counters, counters)));
    totals.counters = { ...counters };
    totals.revision++;
    this.keepDrift(labelId, budgetId, drift, []);
    this.published.push(...entries);
    return true;
  }

  async budgetsPage(cursor: string | undefined, limit: number) {
    const all = [...this.budgets.values()]
      .map((b) => ({ labelId: b.labelId, budgetId: b.budgetId, endsOn: b.period.end }))
      .sort((a, b) => key(a.labelId, a.budgetId).localeCompare(key(b.labelId, b.budgetId)));
    const start = cursor ? Number(cursor) : 0;
    const items = all.slice(start, start + limit);
    return { items, ...(start + limit < all.length ? { cursor: String(start + limit) } : {}) };
  }

  async labelBudgets(labelId: string, scope?: ScopeAsked) {
    return [...this.budgets.values()]
      .filter((b) => b.labelId === labelId)
      .filter((b) => !scope || (b.scope.kind === scope.kind && (!scope.id || b.scope.id === scope.id)))
      .map(clone);
  }

  async labelBudgetsPage(labelId: string, scope: ScopeAsked | undefined, limit: number, after?: string[]) {
    if (after) labelBudgetsStartKey(labelId, scope, after);
    const { rows, more } = indexPage(await this.labelBudgets(labelId, scope), labelBudgetRow, limit, after);
    return { budgets: rows, more };
  }

  async putFanOutPage(run: string, date: string, cursor: string | undefined, entries: OutboxEntry[]) {
    const k = key(run, date, cursor ?? '-');
    if (this.pages.has(k)) return false;
    this.pages.add(k);
    this.published.push(...entries);
    return true;
  }

  async raiseAlert(
    labelId: string,
    budgetId: string,
    alertId: string,
    at: string,
    date: string,
    entry: OutboxEntry,
  ) {
    const k = key(labelId, budgetId, alertId);
    const existing = this.alerts.get(k);
    if (existing) return { mailed: existing.mailed };
    this.alerts.set(k, { alertId, raisedAt: at, date, mailed: false });
    this.published.push(entry);
    return { mailed: false };
  }

  async markAlertMailed(labelId: string, budgetId: string, alertId: string) {
    const alert = this.alerts.get(key(labelId, budgetId, alertId));
    if (alert) alert.mailed = true;
  }

  async saveDayResult(result: DayResult, entry: OutboxEntry) {
    const k = key(result.date, result.labelId, result.owner.email, result.budgetId);
    const budget = this.budgets.get(key(result.labelId, result.budgetId));
    if (!this.days.has(k)) {
      if (!budget) throw new Error('no such budget');
      this.days.set(k, clone(result));
      // A late day (its reconciliation redriven) keeps its own result, not the budget's last.
      if (!budget.lastResult || budget.lastResult.date <= result.date) budget.lastResult = clone(result);
      this.published.push(entry);
    }
    if (!budget) return;
    this.listOwner(result.date, result.labelId, result.owner.email);
    // Kept (or found kept) after its day's report began: for the owner's first report not begun.
    // Not once a report has read it: a retry delivered after that report notes it no more.
    if (!this.reportsBegun.has(result.date) || this.lateReported.has(k)) return;
    this.late.add(key(result.labelId, result.owner.email, result.date, result.budgetId));
    let next = addDays(result.date, 1);
    while (this.reportsBegun.has(next)) next = addDays(next, 1);
    this.listOwner(next, result.labelId, result.owner.email);
  }

  private listOwner(date: string, labelId: string, ownerEmail: string) {
    const owners = this.owners.get(date) ?? new Set();
    owners.add(key(labelId, ownerEmail));
    this.owners.set(date, owners);
  }

  async beginReport(date: string) {
    this.reportsBegun.add(date);
  }

  async lateResults(date: string, labelId: string, ownerEmail: string) {
    return [...this.late]
      .map((k) => JSON.parse(k) as string[])
      .filter(([label, owner, day]) => label === labelId && owner === ownerEmail && day <= date)
      .sort(([, , a, x], [, , b, y]) => byParts([a, x], [b, y]))
      .flatMap(([, , day, budgetId]) => {
        const kept = this.days.get(key(day, labelId, ownerEmail, budgetId));
        return kept ? [clone(kept)] : [];
      });
  }

  async markLateReported(
    _date: string,
    labelId: string,
    ownerEmail: string,
    results: Pick<DayResult, 'date' | 'budgetId'>[],
  ) {
    for (const { date, budgetId } of results) {
      this.late.delete(key(labelId, ownerEmail, date, budgetId));
      this.lateReported.add(key(date, labelId, ownerEmail, budgetId));
    }
  }

  async reportOwnersPage(date: string, cursor: string | undefined, limit: number) {
    const all = [...(this.owners.get(date) ?? [])].sort().map((k) => {
      const [labelId, ownerEmail] = JSON.parse(k) as string[];
      return { labelId, ownerEmail };
    });
    const start = cursor ? Number(cursor) : 0;
    return {
      items: all.slice(start, start + limit),
      ...(start + limit < all.length ? { cursor: String(start + limit) } : {}),
    };
  }

  async dayResults(date: string, labelId: string, ownerEmail: string) {
    const prefix = key(date, labelId, ownerEmail).slice(0, -1);
    return [...this.days].filter(([k]) => k.startsWith(`${prefix},`)).map(([, v]) => clone(v));
  }

  async heldExpenses(from: string | undefined, before: string) {
    return [...this.states]
      .filter(([, s]) => s.held && s.firstSeenAt >= (from ?? '') && s.firstSeenAt < before)
      .map(([k, s]): HeldExpense => {
        const [labelId, budgetId] = JSON.parse(k) as string[];
        return {
          labelId,
          budgetId,
          expenseId: s.expenseId,
          firstSeenAt: s.firstSeenAt,
          ...(s.data
            ? { expense: { vendor: s.data.vendor, date: s.data.date, amount: clone(s.data.amount) } }
            : {}),
        };
      });
  }

  async heldSweptBefore() {
    return this.heldSwept;
  }

  async markHeldSwept(before: string) {
    if (!this.heldSwept || this.heldSwept < before) this.heldSwept = before;
  }

  async reportHeld(date: string, held: HeldExpense, entry: OutboxEntry) {
    const k = key(held.labelId, held.budgetId, held.expenseId);
    if (this.heldReportedOn.has(k)) return false;
    this.heldReportedOn.set(k, date);
    this.heldDays.set(key(date, held.labelId, held.budgetId, held.expenseId), clone(held));
    this.published.push(entry);
    return true;
  }

  async heldReported(date: string, labelId: string) {
    const prefix = key(date, labelId).slice(0, -1);
    return [...this.heldDays].filter(([k]) => k.startsWith(`${prefix},`)).map(([, v]) => clone(v));
  }

  async recoupable(labelId: string, artistId: string) {
    return [...this.states]
      .filter(([k, s]) => JSON.parse(k)[0] === labelId && s.recoupable?.artistId === artistId)
      .map(([k, s]) => ({
        budgetId: JSON.parse(k)[1] as string,
        expenseId: s.expenseId,
        amount: clone(s.recoupable?.amount ?? { minor: 0, currency: '' }),
      }));
  }

  async rates(date: string) {
    return clone(this.fx.get(date));
  }

  async expenseVersions(labelId: string, budgetId: string, expenseId: string) {
    return this.inBudget(this.versions, labelId, budgetId).filter((v) => v.expenseId === expenseId);
  }

  private invoiceKey(labelId: string, invoice: InvoiceRef) {
    const { vendor, invoiceNumber } = invoiceOf(invoice.vendor, invoice.invoiceNumber);
    return key(labelId, vendor, invoiceNumber);
  }

  async fileInvoice(labelId: string, invoice: InvoiceRef, filing: InvoiceFiling) {
    const k = this.invoiceKey(labelId, invoice);
    const filed = this.invoices.get(k) ?? { generation: 0, filings: [] };
    const same = (f: InvoiceFiling) => f.budgetId === filing.budgetId && f.expenseId === filing.expenseId;
    const stored = filed.filings.find(same);
    if (stored && stored.revision >= filing.revision) return;
    filed.filings = [...filed.filings.filter((f) => !same(f)), clone(filing)];
    filed.generation++;
    this.invoices.set(k, filed);
  }

  async invoiceFilings(labelId: string, invoice: InvoiceRef) {
    return clone(this.invoices.get(this.invoiceKey(labelId, invoice)) ?? { generation: 0, filings: [] });
  }

  async flagInvoice(labelId: string, budgetId: string, flagged: FlaggedInvoice, generation: number) {
    const invoice = invoiceOf(flagged.vendor, flagged.invoiceNumber);
    const k = key(labelId, budgetId, invoice.vendor, invoice.invoiceNumber);
    const stored = this.flags.get(k);
    if (stored && stored.generation >= generation) return;
    this.flags.set(k, { ...clone(flagged), generation });
  }

  async markOwnerUnreachable(
    labelId: string,
    budgetIds: string[],
    mark: OwnerUnreachable,
    entry: OutboxEntry,
  ) {
    let won = false;
    for (const budgetId of budgetIds) {
      const budget = this.budgets.get(key(labelId, budgetId));
      const kept = budget?.ownerUnreachable;
      // A suppressed mail's mark never replaces another mail's mark of the same address, nor its own
      // (which keeps its `at`, and counts as won).
      const keeps = mark.reason === 'suppressed' && kept?.address === mark.address;
      if (budget && !keeps) budget.ownerUnreachable = clone(mark);
      if (budget && (!keeps || ownMark(kept, mark))) won = true;
    }
    if (mark.reason === 'suppressed' && !won) return false;
    if (this.undeliverable.has(mark.deliveryId)) return false;
    if (mark.reason === 'suppressed') {
      // The owner's one item decides which of two mails left out at once states it.
      const owner = key(labelId, mark.address);
      const stated = this.ownersSuppressed.get(owner);
      if (
        stated &&
        stated.deliveryId !== mark.deliveryId &&
        suppressedMarkStands(
          mark.address,
          stated.budgetIds.map((budgetId) => this.budgets.get(key(labelId, budgetId))),
          mark.deliveryId,
          stated.at,
        )
      )
        return false;
      this.ownersSuppressed.set(owner, {
        deliveryId: mark.deliveryId,
        budgetIds: [...budgetIds],
        at: mark.at,
      });
    }
    this.undeliverable.add(mark.deliveryId);
    this.published.push(entry);
    return true;
  }

  async saveSettlement(labelId: string, version: SettlementVersion) {
    const { tourId, showId } = version.settlement;
    this.settlements.set(key(labelId, tourId, showId, version.at), clone(version));
  }

  async tourSettlements(labelId: string, tourId: string) {
    const prefix = key(labelId, tourId).slice(0, -1);
    return [...this.settlements].filter(([k]) => k.startsWith(`${prefix},`)).map(([, v]) => clone(v));
  }

  async putRates(date: string, rates: Record<string, string>, _at: string) {
    this.fx.set(date, { ...rates });
  }
}

/**
 * The office's budget routes behind the manager's API, as the office function serves them, over
 * `budgets` and labels in memory: its clock at `now` (5 January 2027, noon UTC, unless given), the
 * manager's day in `timeZone` (UTC unless given). Called with `callApi` (test/support/api.ts).
 */
export function officeBudgetsApi({
  budgets = new InMemoryBudgets(),
  now = '2027-01-05T12:00:00Z',
  timeZone = 'UTC',
}: {
  budgets?: BudgetStore;
  now?: string;
  timeZone?: string;
} = {}) {
  return managementApi(
    'office',
    async () => 'key',
    budgetRoutes({ budgets, labels: new InMemoryLabels(), now: () => new Date(now), timeZone }),
  );
}
