import { asyncEventMaxAgeSeconds, timeoutSeconds } from '#infra/function-settings.ts';
import {
  type Counters,
  carriedConversion,
  carryingExpenses,
  counter,
  difference,
  type ExpenseState,
  type ExpenseVersion,
  emptyState,
  evaluate,
  holdsOwnShare,
  invoiceId,
  isCounted,
  namesOf,
  orderHoldsShare,
  type RateTable,
  sameJson,
  sameState,
  settlesOf,
  statedTotal,
  sum,
  type Terms,
  termsVersion,
  versionAt,
  withRateNamed,
  withVersion,
} from '#shared/budgets/ledger.ts';
import {
  type BudgetStore,
  type DriftRecord,
  type InvoiceRef,
  type LedgerWrite,
  pastLimit,
  type Refusal,
  TotalPastLimitError,
  TotalsItemFullError,
  totalAdded,
  totalText,
} from '#shared/db/budgets.ts';
import { conflictBackoff } from '#shared/db/conflicts.ts';
import {
  BudgetDriftRepaired,
  type BudgetSet,
  type EventData,
  type ExpenseRecorded,
  type ExpenseVoided,
  type Metadata,
  outboxEntry,
} from '#shared/events/index.ts';
import type { BudgetsDeps } from './ports.ts';

/** A write lost to a concurrent one (its condition failed) is computed again from what is stored now, this many times. */
const maxAttempts = 8;

/** What a write still refused after `maxAttempts` throws, so its event is retried later. */
const tooBusy = (what: string) => new Error(`${what}: too many concurrent changes`);

/** Before a refused write's next attempt (0: the first, no wait): a jittered backoff, so writers that met part. */
const backOff = async (attempt: number) => {
  if (attempt > 0) await conflictBackoff(attempt);
};

/** Budgets come from a label's webhook; events without a label cannot be filed and are retried, then dead-lettered. */
export const labelOf = (metadata: Metadata): string => {
  if (!metadata.labelId) throw new Error(`event ${metadata.eventId} has no labelId`);
  return metadata.labelId;
};

/** Reads the rates of the dates these states need (their own rate or the same currency need none). */
export async function ratesFor(
  store: Pick<BudgetStore, 'rates'>,
  states: ExpenseState[],
  budget: Terms | undefined,
): Promise<RateTable> {
  const dates = new Set(
    states
      .filter(
        (s) =>
          budget &&
          s.data &&
          s.data.amount.currency !== budget.currency &&
          !carriedConversion(s.data, s.dataAt, budget),
      )
      .map((s) => s.data?.date as string),
  );
  const tables = new Map(
    await Promise.all([...dates].map(async (date) => [date, await store.rates(date)] as const)),
  );
  return (date) => tables.get(date);
}

/**
 * A label set (or reset) a budget: the plan changes, the ledger stays. Expenses held for it (they
 * arrived first) and every expense whose conversion depends on its currency are counted again. When
 * the terms of this very change are stored already (a redelivery: the first attempt may have failed
 * after storing them, before counting), they are counted again too, which changes nothing once done.
 * Answers the terms in force after it: older terms delivered late are ignored, and so is their scope.
 */
export async function setBudget(data: EventData<typeof BudgetSet>, metadata: Metadata, deps: BudgetsDeps) {
  const labelId = labelOf(metadata);
  const terms = {
    ...data,
    labelId,
    occurredAt: metadata.occurredAt,
    termsAt: versionAt(metadata.occurredAt, metadata.eventId),
  };
  const stored = await deps.store.saveBudget(terms);
  // Refused and not these terms: newer ones are in force, and their own change counts under them.
  // (Terms stored before versions are known by their timestamp: a redelivery of theirs counts again.)
  const current = await deps.store.getBudget(labelId, data.budgetId);
  if (!stored && (current?.termsAt ?? terms.termsAt) !== terms.termsAt) return current;
  if (!stored && current?.occurredAt !== terms.occurredAt) return current;
  const ledger = await deps.store.ledger(labelId, data.budgetId, { consistent: true });
  // In the order received: past the limit, the later ones are refused (firstPastLimit, docs/design.md#money).
  await reevaluate(
    labelId,
    data.budgetId,
    ledger.states.sort(inOrderReceived).map((s) => s.expenseId),
    deps,
  );
  return current;
}

/**
 * One version of a label's expense (recorded, amended, voided), into the budget its event names. The
 * expense counts once, under the budget its latest recorded or amended version names: an amendment
 * may book it to another budget of the label. So the expense is first filed under the budget (every
 * budget it is filed under is kept), then its version is written, and then, from the filings read
 * again, each other budget it is filed under gets a `moved` version at the latest version's `at`,
 * written and filed like any other, so it stops counting there (totals and ledger in one write, once).
 * Whichever of two changes landing together reads the filings last sees both. All of it runs again on
 * a redelivery.
 */
export async function receiveExpenseVersion(
  labelId: string,
  budgetId: string,
  version: ExpenseVersion,
  deps: Pick<BudgetsDeps, 'store'>,
) {
  await deps.store.fileExpenseUnder(labelId, version.expenseId, budgetId);
  await receiveVersion(labelId, budgetId, version, deps);
  // The filings read again after the version is written (filing is idempotent): of two changes
  // landing together in two budgets, the one whose read comes last sees the other's filing and then
  // its version. Read before the write, each could miss the other (a void in one budget racing the
  // late record of the expense in the budget it moved from left that budget without the void).
  const budgets = await deps.store.fileExpenseUnder(labelId, version.expenseId, budgetId);
  if (budgets.length > 1) {
    // A void cancels the expense by its id, whichever budget it names: every budget it is filed under
    // gets it, in whatever order the void and the amendment that moved it arrive.
    await spreadVoid(labelId, version, budgets, deps);
    // Only ever in one budget: it counts there.
    await leaveOtherBudgets(labelId, version, budgets, deps.store);
    // An order that arrives (or moves) after invoices of other budgets settled it is released there.
    await settleAcrossBudgets(labelId, version.expenseId, budgetId, deps.store);
  }
}

/**
 * An invoice may settle an order held in another budget of the label: the order's money is released
 * in the order's budget (its home: the budget its latest data names) while an actual of another budget
 * settles it as that budget counts it (see docs/design.md#budgets). Each budget keeps who of its own
 * settles the order (`settledBy` of its state of the order, filed under the order's id like a version);
 * this writes the union of the other budgets' into the home's state, with its totals and the home's
 * actuals naming the order given the share the release leaves them (withNamers), in a transaction
 * that checks the other budgets' states are still as read. Runs after every write that changes who
 * settles the order in some budget, and after the order's own writes, so whichever runs last sees both;
 * and from the daily reconciliation (`repair`), which finds a release lost on the way (a failure between
 * a write and its release, that no redelivery tries again): its change of the totals is drift, kept and
 * stated (Budget Drift Repaired) in the same write, and so are the shares its push of the home's word
 * changes in each budget it writes (pushHolding). Answers the drift such a repair wrote, in each budget.
 */
export async function settleAcrossBudgets(
  labelId: string,
  orderId: string,
  budgetId: string,
  store: BudgetStore,
  repair?: Repair,
): Promise<ReleaseRepaired[]> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    await backOff(attempt);
    const budgets = await filedUnder(labelId, orderId, budgetId, store);
    const states = await statesAcross(labelId, orderId, budgets, store);
    const home = homeOf(states);
    if (!home) return [];
    const others = states.filter((s) => s.budgetId !== home.budgetId);
    const elsewhere = [...new Set(others.flatMap((s) => s.state?.settledBy ?? []))].sort();
    // Nothing to release: the home's word still goes where a budget keeping it says otherwise (a repair's
    // push stopped after its release landed, retried), from the states just read. Else nothing is written.
    if (sameJson(home.state.settledElsewhere ?? [], elsewhere))
      return pushHolding(labelId, orderId, store, repair, states);
    // A budget filed under the order since its filings were read is among no state read, and its
    // invoice's release may have landed before the home's state was read, passing this write's checks:
    // read again, or that release would be taken back.
    if (!sameJson(await store.expenseFiledUnder(labelId, orderId), budgets)) continue;
    // The safety net repairs only a release lost: one a settler's version still owes is on its way.
    if (
      repair &&
      (await releaseOnItsWay(labelId, budgets, home.state.settledElsewhere ?? [], elsewhere, repair, store))
    )
      return [];
    const budget = await store.getBudget(labelId, home.budgetId);
    const { settledElsewhere: _, ...rest } = home.state;
    const released = { ...rest, ...(elsewhere.length > 0 ? { settledElsewhere: elsewhere } : {}) };
    const after = evaluate(released, budget, await ratesFor(store, [released], budget));
    const delta = difference(home.state.contribution, after.contribution);
    // The release gives the home's actuals naming the order the share it leaves them, as the home's own
    // writes do (withNamers). A repair's share counted apart it changes (the order's, theirs) is drift
    // too: such a share is in no running total, so it is compared as repairShares does.
    const written = await withNamers(
      store,
      labelId,
      home.budgetId,
      budget,
      [[home.state, after]],
      statesPerWrite,
    );
    const writes = written.map(([, state]) => state);
    // A repair's drift: what the budget held just before this write (refused if anything wrote since its read).
    const read = repair && (await repairRead(store, labelId, home.budgetId, written, delta));
    const differences = read
      ? [
          ...(read.totals ? driftDifferences(read.totals, sum(read.totals, delta)) : []),
          ...sharesDrift(read.states, writes),
        ]
      : [];
    let landed: boolean;
    try {
      landed = await store.writeLedger(labelId, home.budgetId, {
        versions: [],
        states: writes,
        delta,
        checks: stillAsRead(others, orderId),
        totalsRevision: read ? read.totalsRevision : undefined,
        ...(repair && differences.length > 0
          ? { drift: driftWrite(labelId, home.budgetId, repair, differences) }
          : {}),
      });
    } catch (error) {
      if (!(error instanceof TotalPastLimitError)) throw error;
      // What the release adds is the order's own count (taken back, it is committed again beside what its
      // budget counted since): the order is refused for good there, as a recount refuses an expense, and
      // the rest read again (see docs/design.md#money). Thrown, the event would be retried into the dead
      // letters, and every redelivery and reconciliation would meet it again.
      await refuseExpense(labelId, home.budgetId, orderId, error, store);
      continue;
    }
    // Refused: another writer's change, or this very write applied with its answer lost, which left
    // the home's state as it wrote it (docs/design.md#failures-and-retries).
    if (landed || (await storedAsWritten(store, labelId, home.budgetId, writes[0]))) {
      // No budget (its state held for one never set): nothing counted there, so no drift either.
      const found =
        differences.length > 0 && budget
          ? [{ budgetId: home.budgetId, currency: budget.currency, differences }]
          : [];
      repair?.stated?.(found);
      await countUnderTermsInForce(
        store,
        labelId,
        home.budgetId,
        budget,
        writes.map((s) => s.expenseId),
      );
      // A repair's push is drift in the budget it writes (the shares it changes), stated with it.
      return [...found, ...(await pushHolding(labelId, orderId, store, repair))];
    }
  }
  throw tooBusy(`order ${orderId}`);
}

/**
 * Whether a release the reconciliation finds owed may still be made by the write that called for it: an
 * actual it adds to the order's settlers, or takes off, has a version in one of the order's budgets that
 * arrived less than `asyncEventMaxAgeSeconds` (and a run's timeout) before the repair, and that
 * version's run releases after its write, or a redelivery of it does (releaseAgain) while Lambda still
 * holds the event. The reconciliation leaves such a release to it; a later day's repairs it if it was
 * lost (see docs/design.md#budgets). Reads only where a release is owed.
 */
async function releaseOnItsWay(
  labelId: string,
  budgets: string[],
  was: string[],
  is: string[],
  repair: Repair,
  store: BudgetStore,
) {
  const onItsWaySeconds = asyncEventMaxAgeSeconds + timeoutSeconds.budgets;
  const since = new Date(Date.parse(repair.at) - onItsWaySeconds * 1_000).toISOString();
  const actuals = [...was.filter((id) => !is.includes(id)), ...is.filter((id) => !was.includes(id))];
  for (const budgetId of budgets)
    for (const actual of actuals)
      if ((await store.expenseVersions(labelId, budgetId, actual)).some((v) => v.receivedAt > since))
        return true;
  return false;
}

/**
 * Running totals repaired as drift: each total that differs, what it held and what the ledger says, each
 * stated as the budget's sums are (`statedTotal`): a total stored past the limit before it was kept is
 * stated as the largest total, not a figure Budget Drift Repaired's schema refuses (see docs/design.md#money).
 */
export const driftDifferences = (was: Counters, ledger: Counters): DriftRecord['differences'] =>
  Object.keys(difference(was, ledger)).map((name) => ({
    total: totalText(name),
    was: statedTotal(BigInt(was[name] ?? 0)),
    ledger: statedTotal(BigInt(ledger[name] ?? 0)),
  }));

/**
 * A reconciliation's repair: its day and instant, kept with the drift, its correlation, and `by`, the
 * budget reconciled, where it may write into other budgets (a release, its push): kept on the drift, so
 * that their day's results leave out what another budget's reconciliation repaired there.
 */
export interface Repair {
  date: string;
  at: string;
  correlationId: string;
  by?: string;
  /**
   * Told each repair's drift as its write lands (kept and stated), so that the reconciliation's metric
   * counts it even when the invocation fails later (see docs/design.md#budgets).
   */
  stated?: (found: ReleaseRepaired[]) => void;
}

/** A repair's drift, kept with its write and stated (Budget Drift Repaired) through the outbox in it. */
const driftWrite = (
  labelId: string,
  budgetId: string,
  repair: Repair,
  differences: DriftRecord['differences'],
) => ({
  record: { date: repair.date, at: repair.at, differences, ...(repair.by ? { by: repair.by } : {}) },
  entries: [driftRepaired(labelId, budgetId, repair.date, differences, repair.correlationId)],
});

/** Budget Drift Repaired, stated through the outbox in the repair's own write. */
export const driftRepaired = (
  labelId: string,
  budgetId: string,
  date: string,
  differences: DriftRecord['differences'],
  correlationId: string,
) => outboxEntry(BudgetDriftRepaired, { labelId, budgetId, date, differences }, { labelId, correlationId });

/**
 * Every budget the order is filed under, this one included. Read first (strongly consistent) and
 * filed only when this budget is missing: a filing is an UpdateItem, a write unit even when it
 * changes nothing, and the daily reconciliation runs this for every order involving another budget.
 * The filing is kept once made, so a read that finds it answers what filing again would.
 */
async function filedUnder(labelId: string, orderId: string, budgetId: string, store: BudgetStore) {
  const budgets = await store.expenseFiledUnder(labelId, orderId);
  return budgets.includes(budgetId) ? budgets : store.fileExpenseUnder(labelId, orderId, budgetId);
}

/**
 * Writes into this budget's state of an order held in another (made if none, and filed under the
 * order) whether the order holds its own recoupable share there, as its home's state says: an
 * unconverted actual of this budget naming it has a share of its own only while it does not (see
 * docs/design.md#budgets). The daily reconciliation runs it for the orders its unconverted actuals name;
 * the shares it changes are counted after it, as drift. Answers whether it wrote.
 */
export async function takeHomeHolding(
  labelId: string,
  orderId: string,
  budgetId: string,
  store: BudgetStore,
) {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    await backOff(attempt);
    const budgets = await store.expenseFiledUnder(labelId, orderId);
    const states = await statesAcross(labelId, orderId, [...new Set([...budgets, budgetId])], store);
    const home = homeOf(states);
    const here = states.find((s) => s.budgetId === budgetId)?.state;
    const heldAtHome = home && holdsOwnShare(home.state);
    if (!home || home.budgetId === budgetId || here?.heldAtHome === heldAtHome) return false;
    // Filed under the order, so that its home's later writes reach this state (pushHolding).
    if (!budgets.includes(budgetId)) await store.fileExpenseUnder(labelId, orderId, budgetId);
    const state = { ...(here ?? emptyState(orderId, home.state.firstSeenAt)), heldAtHome };
    // The home's word as read: a release since (its state, or another budget's settlers, changed) is
    // refused and read again, or its push, finding no word here yet, would be lost to this older one.
    const checks = stillAsRead(
      states.filter((s) => s.budgetId !== budgetId),
      orderId,
    );
    // Refused: another writer's change, or this very write applied with its answer lost, which left
    // the state as it wrote it (docs/design.md#failures-and-retries).
    if (
      (await store.writeLedger(labelId, budgetId, { versions: [], states: [state], delta: {}, checks })) ||
      (await storedAsWritten(store, labelId, budgetId, state))
    )
      return true;
  }
  throw tooBusy(`order ${orderId}`);
}

/**
 * After a write of the order's home: each other budget's state of it that keeps what the home says
 * (`heldAtHome`) and says otherwise is written with the home's word, and the actuals of that budget
 * naming the order (`namedBy`) with the share it leaves them, in one write (withNamers) that checks the
 * home's state is still as read. All of it read after the write: the budgets filed under the order then
 * (one filed since the release read them, its reconciliation taking the word meanwhile, has it), the
 * home's word as it stands (a later write of the home refuses an older push) and each state. A refused
 * write is read and pushed again; one that does not fit is left to the daily reconciliation. As a
 * `repair`, the shares it changes are that budget's drift, kept and stated with it (repairShares): answered.
 * A release that wrote nothing hands it the states it read (`read`), for its first attempt.
 */
async function pushHolding(
  labelId: string,
  orderId: string,
  store: BudgetStore,
  repair?: Repair,
  read?: { budgetId: string; state: ExpenseState | undefined }[],
) {
  const found: ReleaseRepaired[] = [];
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    await backOff(attempt);
    const states =
      (attempt === 0 && read) ||
      (await statesAcross(labelId, orderId, await store.expenseFiledUnder(labelId, orderId), store));
    const home = homeOf(states);
    if (!home) break;
    const holds = holdsOwnShare(home.state) ?? true;
    let refused = false;
    for (const { budgetId, state } of states)
      if (state && !state.data && state.heldAtHome !== undefined && state.heldAtHome !== holds) {
        const pairs = await withNamers(
          store,
          labelId,
          budgetId,
          await store.getBudget(labelId, budgetId),
          [[state, { ...state, heldAtHome: holds }]],
          statesPerWrite,
        );
        const read = repair && (await repairRead(store, labelId, budgetId, pairs, {}));
        const written = await repairShares(
          labelId,
          budgetId,
          read ? read.states : [],
          pairs.map(([, after]) => after),
          repair,
          store,
          stillAsRead([home], orderId),
          read ? read.totalsRevision : undefined,
        );
        found.push(...written.found);
        refused ||= written.incomplete === true;
      }
    if (!refused) break;
  }
  return found;
}

/**
 * A release across budgets the reconciliation found lost and repaired: in which budget, its currency and
 * drift (an unconverted total's difference counts in its own currency: totalCurrency).
 */
export interface ReleaseRepaired {
  budgetId: string;
  currency: string;
  differences: DriftRecord['differences'];
}

/**
 * What follows a version's write, again, once it is found written (a redelivery, or the write applied
 * with its answer lost: docs/design.md#failures-and-retries): the orders an expense's versions in this
 * budget name (it settles them, or did) and that have a state here (someone of this budget settled them,
 * so they were filed under it before that write) are released again in their own budgets, and the
 * expense and those orders counted again under the terms in force: terms set since the write's first run
 * read them may have been counted before it landed (countUnderTermsInForce, which needs the terms it read).
 * So is each order held in another budget, under that budget's terms: its release, found made, may have
 * landed under terms set meanwhile, and the first run died before counting it again (the actuals there
 * naming it follow in the same recount, withNamers; see docs/design.md#budgets).
 * Idempotent: an order whose budget holds its settlers already, or a state its terms count so, is not written.
 */
async function releaseAgain(labelId: string, budgetId: string, expenseId: string, store: BudgetStore) {
  const named = new Set<string>();
  for (const { data } of await store.expenseVersions(labelId, budgetId, expenseId))
    if (data?.settles) named.add(data.settles);
  const orders =
    named.size === 0 ? [] : [...(await store.expenseStates(labelId, budgetId, [...named])).keys()];
  for (const order of orders) await settleAcrossBudgets(labelId, order, budgetId, store);
  await reevaluate(labelId, budgetId, [expenseId, ...orders], { store });
  for (const order of orders) {
    const home = homeOf(
      await statesAcross(labelId, order, await store.expenseFiledUnder(labelId, order), store),
    );
    if (home && home.budgetId !== budgetId) await reevaluate(labelId, home.budgetId, [order], { store });
  }
}

/** Orders whose settlers in this budget a write changes: filed under it before the write, released after. */
const settlersChanged = (pairs: [ExpenseState, ExpenseState][]) =>
  pairs
    .filter(([before, after]) => !sameJson(before.settledBy, after.settledBy))
    .map(([, after]) => after.expenseId);

/** Orders of this budget whose holding of their own recoupable share a write changes (holdsOwnShare). */
const holdingChanged = (pairs: [ExpenseState, ExpenseState][]) =>
  pairs
    .filter(
      ([before, after]) =>
        after.data?.kind === 'commitment' && holdsOwnShare(before) !== holdsOwnShare(after),
    )
    .map(([, after]) => after.expenseId);

/**
 * Whether a budget ever had the expense's data (a recorded, amended or moved version): one that never
 * did gets no `moved` or void rows (but a `moved` where a void names it: leaveOtherBudgets). It is filed there only because an invoice of it settles the expense
 * (the order never counted there), or its version there is not written yet, and that write's own run
 * reads the filings after it and moves or voids it then.
 */
const hadData = (state: ExpenseState | undefined) => state?.dataAt !== undefined;

/** A write's checks that these budgets' states of the expense are still as read (revision 0: none yet). */
const stillAsRead = (states: { budgetId: string; state?: ExpenseState }[], expenseId: string) =>
  states.map((s) => ({ budgetId: s.budgetId, expenseId, revision: s.state?.revision ?? 0 }));

/** The expense's state in each budget it is filed under (undefined where it has none). */
const statesAcross = (labelId: string, expenseId: string, budgets: string[], store: BudgetStore) =>
  Promise.all(
    budgets.map(async (budgetId) => ({
      budgetId,
      state: (await store.expenseStates(labelId, budgetId, [expenseId])).get(expenseId),
    })),
  );

/** The expense's home: the budget its latest data (recorded, amended or moved version) names, with its state there. */
const homeOf = (states: { budgetId: string; state: ExpenseState | undefined }[]) =>
  states
    .flatMap(({ budgetId, state }) => (state?.data && state.dataAt ? [{ budgetId, state }] : []))
    .sort((a, b) => b.state.dataAt!.localeCompare(a.state.dataAt!))[0];

/** Writes the expense's latest void into each budget it is filed under that had its data and lacks the void. */
async function spreadVoid(
  labelId: string,
  { expenseId, receivedAt }: ExpenseVersion,
  budgets: string[],
  deps: Pick<BudgetsDeps, 'store'>,
) {
  const states = await statesAcross(labelId, expenseId, budgets, deps.store);
  const latest = states
    .flatMap(({ state }) => (state?.voidAt ? [state] : []))
    .sort((a, b) => b.voidAt!.localeCompare(a.voidAt!))[0];
  if (!latest) return;
  for (const { budgetId, state } of states) {
    if (state?.voidAt === latest.voidAt || !hadData(state)) continue;
    const voided: ExpenseVersion = {
      expenseId,
      at: latest.voidAt!,
      change: 'voided',
      ...(latest.voidReason ? { reason: latest.voidReason } : {}),
      receivedAt,
    };
    await receiveVersion(labelId, budgetId, voided, deps);
  }
}

/**
 * Stops every budget but the one the expense's latest data names from counting it (those that had its
 * data), and takes back a void there with the later data: a budget holding only the void (a void names
 * any budget of the expense) gets the `moved` too, or its state would say for good the order holds no
 * share (see docs/design.md#budgets).
 */
async function leaveOtherBudgets(
  labelId: string,
  { expenseId, receivedAt }: ExpenseVersion,
  budgets: string[],
  store: BudgetStore,
) {
  const states = await statesAcross(labelId, expenseId, budgets, store);
  const home = homeOf(states);
  if (!home) return;
  for (const { budgetId, state } of states) {
    if (budgetId === home.budgetId || !(hadData(state) || state?.voidAt)) continue;
    await writeVersion(
      labelId,
      budgetId,
      { expenseId, at: home.state.dataAt!, change: 'moved', movedTo: home.budgetId, receivedAt },
      store,
    );
    await fileInvoices(labelId, budgetId, expenseId, store);
  }
}

/** One version of an expense (recorded, amended, voided or settled), whatever order they arrive in. */
export async function receiveVersion(
  labelId: string,
  budgetId: string,
  version: ExpenseVersion,
  deps: Pick<BudgetsDeps, 'store'>,
) {
  await writeVersion(labelId, budgetId, version, deps.store);
  // After the ledger's write, and again when the version is redelivered: a crash between the two loses no flag.
  await fileInvoices(labelId, budgetId, version.expenseId, deps.store);
}

/**
 * Files the expense under every vendor invoice any of its versions named, saying which one it
 * carries now (counted, latest data), then flags each of those invoices again on every budget filed
 * under it: a budget keeps the flag while it and another of the label's budgets carry the invoice, so
 * a void or an amendment to another number elsewhere clears it here too. Filings are ordered by the
 * expense's state revision and flags by the invoice's generation, so any order of arrival, and any
 * redelivery, ends with the flags of the latest filings. `versions`: the expense's as read before a
 * refusal took them off the ledger (the invoices they named), else read here.
 */
async function fileInvoices(
  labelId: string,
  budgetId: string,
  expenseId: string,
  store: BudgetStore,
  versions?: ExpenseVersion[],
) {
  const state = (await store.expenseStates(labelId, budgetId, [expenseId])).get(expenseId);
  if (!state) return;
  const named = new Map<string, InvoiceRef>();
  for (const { data } of versions ?? (await store.expenseVersions(labelId, budgetId, expenseId)))
    if (data?.invoiceNumber)
      named.set(invoiceId(data.vendor, data.invoiceNumber), {
        vendor: data.vendor,
        invoiceNumber: data.invoiceNumber,
      });
  if (named.size === 0) return;
  const carried =
    isCounted(state) && state.data.invoiceNumber
      ? invoiceId(state.data.vendor, state.data.invoiceNumber)
      : undefined;
  for (const [id, invoice] of named) {
    await store.fileInvoice(labelId, invoice, {
      budgetId,
      expenseId,
      revision: state.revision,
      carries: id === carried,
    });
    const { generation, filings } = await store.invoiceFilings(labelId, invoice);
    const carrying = carryingExpenses(filings);
    const budgets = new Set(carrying.map((e) => e.budgetId));
    const filedUnder = new Set(filings.map((f) => f.budgetId));
    // Filed under one budget only, ever (filings are kept): no budget was ever flagged, none is to clear.
    if (filedUnder.size < 2) continue;
    for (const filed of filedUnder)
      await store.flagInvoice(
        labelId,
        filed,
        {
          vendor: invoice.vendor,
          invoiceNumber: invoice.invoiceNumber,
          expenses: budgets.size > 1 && budgets.has(filed) ? carrying : [],
        },
        generation,
      );
  }
}

/**
 * What one expense's change writes: its state before and after (`own`, evaluated), the orders it settles
 * or reopens re-evaluated with it, the expenses that name them, the totals' delta, and the orders whose
 * settling changed, each filed under this budget before the write (see docs/design.md#money).
 */
async function changeOf(
  store: BudgetStore,
  labelId: string,
  budgetId: string,
  budget: Awaited<ReturnType<BudgetStore['getBudget']>>,
  before: ExpenseState,
  own: ExpenseState,
) {
  const changed = await withSettlements(store, labelId, budgetId, [[before, own]]);
  const settled = changed.slice(1).map(([, commitment]) => commitment);
  const rates = await ratesFor(store, settled, budget);
  const evaluated = [own, ...settled.map((commitment) => evaluate(commitment, budget, rates))];
  const pairs = await withNamers(
    store,
    labelId,
    budgetId,
    budget,
    changed.map(([b], i): [ExpenseState, ExpenseState] => [b, evaluated[i]]),
    statesPerWrite,
  );
  const delta = sum(...pairs.map(([b, after]) => difference(b.contribution, after.contribution)));
  const settlers = settlersChanged(pairs);
  for (const settler of settlers) await store.fileExpenseUnder(labelId, settler, budgetId);
  return { pairs, delta, settlers };
}

async function writeVersion(labelId: string, budgetId: string, received: ExpenseVersion, store: BudgetStore) {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    await backOff(attempt);
    // Each expense counts once per version: the same event again (a retry, a duplicate) changes nothing
    // here, but releases again what it settles elsewhere: its first attempt may have written the version
    // and failed before the order's budget took it.
    if (await store.hasVersion(labelId, budgetId, received.expenseId, received.at))
      return await releaseAgain(labelId, budgetId, received.expenseId, store);
    const budget = await store.getBudget(labelId, budgetId);
    // The label's rate keeps naming the currency it converts into when the budget's changes later.
    const version = withRateNamed(received, budget);
    const found = await store.expenseStates(labelId, budgetId, [version.expenseId]);
    const before = found.get(version.expenseId) ?? emptyState(version.expenseId, version.receivedAt);
    const after = withVersion(before, version);
    // Evaluated first: whether an actual closes its commitment depends on how it counts (settlesOf);
    // an unconverted one's recoupable share on whether the order it names still holds its own.
    const order = after.data?.kind === 'actual' ? after.data.settles : undefined;
    const orders = order ? [...(await store.expenseStates(labelId, budgetId, [order])).values()] : [];
    const own = evaluate(after, budget, await ratesFor(store, [after], budget), orderHoldsShare(orders));
    const { pairs, delta, settlers } = await changeOf(store, labelId, budgetId, budget, before, own);
    const states = pairs.map(([, after]) => after);
    // A rate named from the terms read holds them: terms replaced since refuse the write, read again.
    const terms = version === received ? undefined : termsVersion(budget);
    const written = await writtenUnlessPastLimit(store, labelId, budgetId, version, {
      versions: [version],
      states,
      delta,
      terms,
    });
    if (written === 'refused') return;
    if (written) {
      for (const settler of settlers) await settleAcrossBudgets(labelId, settler, budgetId, store);
      // The expense, and the orders it settled or reopened, under terms set since they were read.
      await countUnderTermsInForce(
        store,
        labelId,
        budgetId,
        budget,
        states.map((s) => s.expenseId),
      );
      return;
    }
  }
  throw tooBusy(`expense ${received.expenseId} of budget ${budgetId}`);
}

/**
 * The version's write, or, when it would take a running total past the limit, its refusal kept for good
 * (listed on the budget, nothing of it counted): an event that can never be applied is neither retried
 * nor lost (see docs/design.md#money). A redelivery is refused again and keeps the same refusal.
 */
async function writtenUnlessPastLimit(
  store: BudgetStore,
  labelId: string,
  budgetId: string,
  version: ExpenseVersion,
  write: LedgerWrite,
): Promise<boolean | 'refused'> {
  try {
    return await store.writeLedger(labelId, budgetId, write);
  } catch (error) {
    if (!(error instanceof TotalPastLimitError)) throw error;
    await store.keepRefused(labelId, budgetId, refusalOf(version, error));
    return 'refused';
  }
}

/** A version refused for good: the total it would take past the limit, and why (see docs/design.md#money). */
const refusalOf = (version: ExpenseVersion, error: TotalPastLimitError): Refusal => ({
  expenseId: version.expenseId,
  at: version.at,
  change: version.change,
  total: error.total,
  reason: error.message,
  receivedAt: version.receivedAt,
});

/** The order expenses were received in: first seen, then (the same instant) by id. */
const inOrderReceived = (a: ExpenseState, b: ExpenseState) =>
  a.firstSeenAt.localeCompare(b.firstSeenAt) || a.expenseId.localeCompare(b.expenseId);

/**
 * Of a recount's changes, the first expense recounted (`ids`), in the order received, whose change would
 * take a running total past the limit, counted from the totals as they stand through the changes before
 * it; with the total it would pass. Undefined when none would (see docs/design.md#money).
 */
function firstPastLimit(totals: Counters, changed: [ExpenseState, ExpenseState][], ids: string[]) {
  const running = { ...totals };
  const recounted = changed.filter(([, after]) => ids.includes(after.expenseId));
  for (const [before, after] of recounted.sort(([a], [b]) => inOrderReceived(a, b))) {
    const delta = difference(before.contribution, after.contribution);
    const past = pastLimit((name) => running[name] ?? 0, delta);
    if (past) return { expenseId: after.expenseId, error: past };
    for (const [name, value] of Object.entries(delta)) running[name] = (running[name] ?? 0) + value;
  }
  return undefined;
}

/**
 * Of a recount's changes whose running totals would not fit their item, the last expense recounted
 * (`ids`), in the order received, that adds a total the totals lack, with the first it adds: refused for
 * good, and the rest counted again without it, so that what fits is counted in the order received (see
 * docs/design.md#money). Undefined when none adds a total.
 */
function lastAddingTotal(totals: Counters, changed: [ExpenseState, ExpenseState][], ids: string[]) {
  const recounted = changed.filter(([, after]) => ids.includes(after.expenseId));
  for (const [before, after] of recounted.sort(([a], [b]) => inOrderReceived(b, a))) {
    const delta = difference(before.contribution, after.contribution);
    const added = totalAdded((name) => name in totals, delta);
    if (added) return { expenseId: after.expenseId, error: new TotalsItemFullError(totalText(added)) };
  }
  return undefined;
}

/**
 * Of a recount's changes (`changed`, of the expenses `ids`) whose write `error` refused, the expense to
 * refuse for good, refused: past the limit, the first received whose change takes a total past it from
 * `totals`; too large for the totals' item, the last received that adds a total `totals` lack (see
 * docs/design.md#money). False when none is to blame: the caller throws its error.
 */
export async function refuseUncountable(
  labelId: string,
  budgetId: string,
  error: TotalPastLimitError,
  totals: Counters,
  changed: [ExpenseState, ExpenseState][],
  ids: string[],
  store: BudgetStore,
) {
  const past =
    error instanceof TotalsItemFullError
      ? lastAddingTotal(totals, changed, ids)
      : firstPastLimit(totals, changed, ids);
  if (!past) return false;
  await refuseExpense(labelId, budgetId, past.expenseId, past.error, store);
  return true;
}

/**
 * Refuses for good an expense a recount cannot count (see docs/design.md#money): each of its versions of
 * this budget is taken off the ledger and kept as refused, as a version refused when written is, and its
 * state keeps only what other expenses say of it (who settles it), counting nothing: held no more, and
 * what it settled reopened, in the same write. The label's later change of it is taken as any other.
 */
async function refuseExpense(
  labelId: string,
  budgetId: string,
  expenseId: string,
  error: TotalPastLimitError,
  store: BudgetStore,
) {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    await backOff(attempt);
    const versions = await store.expenseVersions(labelId, budgetId, expenseId);
    const before = (await store.expenseStates(labelId, budgetId, [expenseId])).get(expenseId);
    if (!before || versions.length === 0) return;
    const budget = await store.getBudget(labelId, budgetId);
    const { settledElsewhere, namedBy, heldAtHome } = before;
    const none: ExpenseState = {
      ...emptyState(expenseId, before.firstSeenAt),
      settledBy: before.settledBy,
      ...(settledElsewhere ? { settledElsewhere } : {}),
      ...(namedBy ? { namedBy } : {}),
      ...(heldAtHome === undefined ? {} : { heldAtHome }),
      revision: before.revision,
    };
    // The versions that do not make the state go first, in writes of their own (DynamoDB: 100 items a
    // transaction), each holding the state as read: stopped between them, those left still make the state
    // as stored, so the ledger counts the expense as before, and the recount's retry refuses it again.
    const deciding = versionsMakingState(versions);
    const apart = versions.filter((version) => !deciding.includes(version));
    if (!(await refusedApart(store, labelId, budgetId, before, apart, error))) continue;
    const { pairs, delta, settlers } = await changeOf(store, labelId, budgetId, budget, before, none);
    const states = pairs.map(([, after]) => after);
    const written = await store.writeLedger(labelId, budgetId, {
      versions: [],
      states,
      delta,
      refused: deciding.map((version) => refusalOf(version, error)),
    });
    // Refused: another writer's change, or this very write applied with its answer lost, which left
    // the expense's state as it wrote it (docs/design.md#failures-and-retries).
    if (written || (await storedAsWritten(store, labelId, budgetId, states[0]))) {
      // Counted no more, it carries its invoice no more: the other budgets' flags follow, as after a void.
      await fileInvoices(labelId, budgetId, expenseId, store, versions);
      for (const settler of settlers) await settleAcrossBudgets(labelId, settler, budgetId, store);
      return;
    }
  }
  throw tooBusy(`expense ${expenseId} of budget ${budgetId}`);
}

/** Whether the expense's state is stored as a write of `state` left it: its content, the revision after. */
async function storedAsWritten(store: BudgetStore, labelId: string, budgetId: string, state: ExpenseState) {
  const stored = (await store.expenseStates(labelId, budgetId, [state.expenseId])).get(state.expenseId);
  return stored?.revision === state.revision + 1 && sameState(stored, state);
}

/** The versions an expense's state is made of (withVersion): its latest data (recorded, amended, moved) and its latest void. */
function versionsMakingState(versions: ExpenseVersion[]): ExpenseVersion[] {
  const latest = (of: ExpenseVersion[]) =>
    of.reduce<ExpenseVersion | undefined>((last, v) => (!last || v.at > last.at ? v : last), undefined);
  return [
    latest(versions.filter((v) => v.change !== 'voided')),
    latest(versions.filter((v) => v.change === 'voided')),
  ].filter((v) => v !== undefined);
}

/**
 * A refusal's versions that do not make the expense's state (`state`, as read), taken off the ledger and
 * kept as refused, `refusalsPerWrite` a write, each while the state is still as read: false when it
 * changed since (what was written stays refused; the caller reads again).
 */
async function refusedApart(
  store: BudgetStore,
  labelId: string,
  budgetId: string,
  state: ExpenseState,
  versions: ExpenseVersion[],
  error: TotalPastLimitError,
) {
  const checks = [{ budgetId, expenseId: state.expenseId, revision: state.revision }];
  for (let start = 0; start < versions.length; start += refusalsPerWrite) {
    const refused = versions.slice(start, start + refusalsPerWrite).map((v) => refusalOf(v, error));
    if (
      !(await store.writeLedger(labelId, budgetId, { versions: [], states: [], delta: {}, checks, refused }))
    )
      return false;
  }
  return true;
}

/**
 * Adds to `changes` the commitments whose settlement changes with them: an actual that starts (or
 * stops) settling a commitment closes (or reopens) it in the same write. A commitment not received
 * yet gets a state that only says who settles it; one among `changes` is settled there. The states
 * after a change are read as evaluated (see settlesOf); a commitment settled here is to be evaluated.
 * So too the orders' `namedBy` (namesOf): kept on an order this budget has a state of, never a reason
 * to give one a state.
 */
async function withSettlements(
  store: BudgetStore,
  labelId: string,
  budgetId: string,
  changes: [ExpenseState, ExpenseState][],
): Promise<[ExpenseState, ExpenseState][]> {
  type Edit = { add: string[]; remove: string[] };
  const edits = new Map<string, Edit>();
  const names = new Map<string, Edit>();
  const editOf = (map: Map<string, Edit>, id: string) => {
    const found = map.get(id) ?? { add: [], remove: [] };
    map.set(id, found);
    return found;
  };
  for (const [before, after] of changes) {
    for (const [map, of] of [
      [edits, settlesOf],
      [names, namesOf],
    ] as const) {
      const was = of(before);
      const is = of(after);
      if (was === is) continue;
      if (was) editOf(map, was).remove.push(after.expenseId);
      if (is) editOf(map, is).add.push(after.expenseId);
    }
  }
  const edited = (ids: string[], { add, remove }: Edit = { add: [], remove: [] }) =>
    [...new Set([...ids.filter((a) => !remove.includes(a)), ...add])].sort();
  const settle = (state: ExpenseState): ExpenseState => {
    const { namedBy, ...rest } = state;
    const named = names.has(state.expenseId) ? edited(namedBy ?? [], names.get(state.expenseId)) : namedBy;
    return {
      ...rest,
      settledBy: edits.has(state.expenseId)
        ? edited(state.settledBy, edits.get(state.expenseId))
        : state.settledBy,
      ...(named?.length ? { namedBy: named } : {}),
    };
  };
  const within = changes.map(([before, after]): [ExpenseState, ExpenseState] => [
    before,
    edits.has(after.expenseId) || names.has(after.expenseId) ? settle(after) : after,
  ]);
  const outside = (id: string) => !changes.some(([, after]) => after.expenseId === id);
  const ids = [...new Set([...edits.keys(), ...names.keys()])].filter(outside);
  if (ids.length === 0) return within;
  const found = await store.expenseStates(labelId, budgetId, ids);
  const firstSeenAt = changes[0][1].firstSeenAt;
  return [
    ...within,
    // Who names an order changes no state of one this budget has none of.
    ...ids.flatMap((id): [ExpenseState, ExpenseState][] => {
      const stored = found.get(id);
      if (!edits.has(id) && (!stored || sameState(settle(stored), stored))) return [];
      const before = stored ?? emptyState(id, firstSeenAt);
      return [[before, settle(before)]];
    }),
  ];
}

/**
 * The write's changes with the recoupable share of the actuals counted apart (no rate yet) that name
 * an order it writes, as the write leaves that order (see docs/design.md#budgets): those in the write
 * (an invoice that settled the order amended into a currency no rate converts, evaluated before its
 * order was reopened), and those outside it that name an order whose holding of its own share the write
 * changes (a settling invoice voided or written, the order voided, or released by another budget's
 * invoice or taken back: settleAcrossBudgets), read by the ids the order keeps
 * (`namedBy`), not from the ledger, and added to the write. Each is counted as it was (shareAsLeft):
 * only its share may change, never how it counts, or a rate come since would make it settle the order
 * outside withSettlements. More than fit the write (`states` in all) are left to the daily reconciliation.
 */
async function withNamers(
  store: BudgetStore,
  labelId: string,
  budgetId: string,
  budget: Terms | undefined,
  pairs: [ExpenseState, ExpenseState][],
  states: number,
): Promise<[ExpenseState, ExpenseState][]> {
  const holdsShare = orderHoldsShare(pairs.map(([, after]) => after));
  // An actual naming an order the write has no state of was evaluated against the order as stored.
  const inWrite = new Set(pairs.map(([, after]) => after.expenseId));
  const asLeft = (state: ExpenseState) => {
    const order = namesOf(state);
    return order && inWrite.has(order) ? shareAsLeft(state, budget, holdsShare) : state;
  };
  const within = pairs.map(([before, after]): [ExpenseState, ExpenseState] => [before, asLeft(after)]);
  const ids = [
    ...new Set(
      pairs
        .filter(([before, after]) => (holdsOwnShare(before) ?? true) !== (holdsOwnShare(after) ?? true))
        .flatMap(([, after]) => after.namedBy ?? []),
    ),
  ].filter((id) => !inWrite.has(id));
  if (ids.length === 0 || ids.length > states - within.length) return within;
  const befores = [...(await store.expenseStates(labelId, budgetId, ids)).values()];
  return [
    ...within,
    ...befores
      .map((before): [ExpenseState, ExpenseState] => [before, asLeft(before)])
      .filter(([before, after]) => !sameState(after, before)),
  ];
}

/**
 * An actual with its recoupable share as `holdsShare` says its order holds its own, counted as it was:
 * only one counted apart (no rate yet) has a share that depends on it, and it is evaluated again with no
 * rate, so that it stays apart. One a rate converts, or whose count would change otherwise (terms set
 * since, which count it again themselves), is left as it is.
 */
function shareAsLeft(
  state: ExpenseState,
  budget: Terms | undefined,
  holdsShare: (orderId: string) => boolean,
): ExpenseState {
  const again = evaluate(state, budget, () => undefined, holdsShare);
  return sameJson(again.contribution, state.contribution) && sameJson(again.conversion, state.conversion)
    ? again
    : state;
}

/** How one webhook event becomes a version of an expense (or of a show's settlement). */
export type VersionOf<D> = (data: D, metadata: Metadata, receivedAt: string) => ExpenseVersion;

export const recordedVersion =
  (change: 'recorded' | 'amended'): VersionOf<EventData<typeof ExpenseRecorded>> =>
  (data, metadata, receivedAt) => ({
    expenseId: data.expenseId,
    at: versionAt(metadata.occurredAt, metadata.eventId),
    change,
    data,
    receivedAt,
  });

export const voidedVersion: VersionOf<EventData<typeof ExpenseVoided>> = (data, metadata, receivedAt) => ({
  expenseId: data.expenseId,
  at: versionAt(metadata.occurredAt, metadata.eventId),
  change: 'voided',
  ...(data.reason ? { reason: data.reason } : {}),
  receivedAt,
});

/**
 * An expense's change writes at most this many states (itself, the commitments it settles or reopens,
 * the actuals naming them: withNamers), with its version and the totals' update; a recount takes this
 * many expenses a transaction, with as many commitments they settle or reopen and the actuals naming
 * them, at most twice this many states and the totals' update (DynamoDB: 100 items).
 */
const statesPerWrite = 49;

/**
 * Versions a refusal takes off the ledger in one write: each is two items (its delete and its refusal's
 * put), beside the state's check and the totals' revision (DynamoDB: 100 items a transaction).
 */
const refusalsPerWrite = 49;

/**
 * The reconciliation's repair of recoupable shares its writes left wrong: a share counted apart (no rate
 * yet) lives on its expense's state, in no running total, so the states whose share alone differs
 * from the ledger's (`repaired`, their revision the one read) are written with it as drift: per artist
 * and currency, what the budget's shares held and what they hold (`stored`: its states as read), kept
 * and stated (Budget Drift Repaired) in the same transaction, 97 states each (with the drift's record,
 * its event and the totals' revision: DynamoDB's 100 items; see docs/design.md#budgets). Answers the repairs by currency, those of the transactions written before one
 * refused (a state changed since read) too, the repair then `incomplete`: written and stated, they count.
 * A push of the home's word writes through it too (`checks`: the home's state as read): as a repair, its
 * shares are drift; else (no `repair`) none is kept, and a write whose shares change nothing states none.
 * `revision`: the running totals' revision `stored` was read at (each transaction moves it by one), held
 * by the writes, so that a write into the budget since its read refuses them (see docs/design.md#budgets).
 */
export async function repairShares(
  labelId: string,
  budgetId: string,
  stored: ExpenseState[],
  repaired: ExpenseState[],
  repair: Repair | undefined,
  store: BudgetStore,
  checks?: LedgerWrite['checks'],
  revision?: number,
): Promise<{ found: ReleaseRepaired[]; incomplete?: true }> {
  // As stored, then as each transaction leaves them (a later state of an expense replaces its earlier).
  const states = [...stored];
  const found: ReleaseRepaired[] = [];
  for (let start = 0; start < repaired.length; start += statesPerWrite * 2 - 1) {
    const write = repaired.slice(start, start + statesPerWrite * 2 - 1);
    const differences = repair ? sharesDrift(states, write) : [];
    states.push(...write);
    const landed = await store.writeLedger(labelId, budgetId, {
      versions: [],
      states: write,
      delta: {},
      checks,
      totalsRevision: revision,
      ...(repair && differences.length > 0
        ? { drift: driftWrite(labelId, budgetId, repair, differences) }
        : {}),
    });
    // Refused: another writer's change, or this very write applied with its answer lost, which left
    // the states as it wrote them (docs/design.md#failures-and-retries).
    if (!landed && !(await storedAsWritten(store, labelId, budgetId, write[0])))
      return { found, incomplete: true };
    if (revision !== undefined) revision++;
    const written = differences.map((d) => ({ budgetId, currency: d.total.split(' ')[1], differences: [d] }));
    repair?.stated?.(written);
    found.push(...written);
  }
  return { found };
}

/**
 * The recoupable shares counted apart (no rate yet) these states hold, per artist and currency, named as
 * the unconverted totals are (`unconverted USD recoupable art-1`: the artist's shares in USD). A share in
 * the budget's currency is left out: it is in the totals (`recoupable art-1`, its state's contribution),
 * whose drift states it once. What a repair compares (see docs/design.md#budgets).
 */
const sharesOf = (states: Iterable<ExpenseState>): Counters =>
  sum(
    ...[...states].flatMap(({ recoupable: r, contribution }) =>
      r && !contribution[counter.recoupable(r.artistId)]
        ? [{ [JSON.stringify(['unconverted', r.amount.currency, 'recoupable', r.artistId])]: r.amount.minor }]
        : [],
    ),
  );

/**
 * What a repair's drift in the budget it writes is figured from (see docs/design.md#budgets): the running
 * totals and their revision (one item, strongly), and the states its shares are compared over, what the
 * budget's shares held: its whole ledger's, read (strongly, the totals' item first: one read answers
 * both) only when the written states change a share counted apart (rare: they are in no running total to
 * read instead); else theirs, which change none. Nothing is read when neither changes. The write holds
 * the revision, read before the states: anything written into the budget since (an invoice recorded)
 * refuses it, and it is read and figured again.
 */
async function repairRead(
  store: BudgetStore,
  labelId: string,
  budgetId: string,
  pairs: [ExpenseState, ExpenseState][],
  delta: Counters,
): Promise<{ states: ExpenseState[]; totals?: Counters; totalsRevision?: number }> {
  const befores = pairs.map(([before]) => before);
  const shares =
    sharesDrift(
      befores,
      pairs.map(([, after]) => after),
    ).length > 0;
  if (shares) {
    const { totals, totalsRevision, states } = await store.ledger(labelId, budgetId, { consistent: true });
    return { totals, totalsRevision, states };
  }
  if (Object.keys(delta).length === 0) return { states: befores };
  return { ...(await store.runningTotals(labelId, budgetId)), states: befores };
}

/** The shares' drift of a write: what these stored states' shares held, and hold with the written ones (by id). */
function sharesDrift(stored: ExpenseState[], written: ExpenseState[]) {
  const states = new Map(stored.map((s) => [s.expenseId, s]));
  const was = sharesOf(states.values());
  for (const state of written) states.set(state.expenseId, state);
  return driftDifferences(was, sharesOf(states.values()));
}

/**
 * After a write that counted these states under the budget's terms as read before it (`read`): terms set
 * since were counted by their own recount, which may have read the ledger before this write landed, so
 * these states, written as the older terms count them, are counted again under the terms stored now
 * (see docs/design.md#budgets). The terms unchanged, nothing more is read or written.
 */
async function countUnderTermsInForce(
  store: BudgetStore,
  labelId: string,
  budgetId: string,
  read: Parameters<typeof termsVersion>[0],
  expenseIds: string[],
) {
  if (termsVersion(await store.getBudget(labelId, budgetId)) !== termsVersion(read))
    await reevaluate(labelId, budgetId, expenseIds, { store });
}

/**
 * Counts these expenses again under the budget and rates as they are now (a budget arrived, a rate
 * was added): each changed state and the totals' difference in one write.
 */
export async function reevaluate(
  labelId: string,
  budgetId: string,
  expenseIds: string[],
  deps: Pick<BudgetsDeps, 'store'>,
  rebuilt?: Map<string, ExpenseState>,
): Promise<number> {
  let written = 0;
  for (let start = 0; start < expenseIds.length; start += statesPerWrite) {
    const ids = expenseIds.slice(start, start + statesPerWrite);
    let refusals = 0;
    for (let attempt = 0; ; attempt++) {
      if (attempt >= maxAttempts) throw tooBusy(`budget ${budgetId}`);
      await backOff(attempt);
      const budget = await deps.store.getBudget(labelId, budgetId);
      const stored = await deps.store.expenseStates(labelId, budgetId, ids);
      const befores = [...stored.values()];
      const afters = befores.map((before) => {
        const state = rebuilt?.get(before.expenseId);
        // A state changed since the ledger it was rebuilt from was read (voided, amended) is counted as it
        // is stored: the rebuilt one would undo that change; the caller's next read rebuilds it.
        if (!state || state.revision !== before.revision) return before;
        // Who of other budgets settles it, and the word of the order's home, are in no version here: the
        // rebuilt state has them as the ledger was read, maybe before a release or a push landed; the
        // state stored at the revision this write is conditioned on says them (one since fails the write).
        const { settledElsewhere: _, heldAtHome: _h, ...rest } = state;
        const { settledElsewhere: elsewhere, heldAtHome } = before;
        return {
          ...rest,
          ...(elsewhere?.length ? { settledElsewhere: elsewhere } : {}),
          ...(heldAtHome === undefined ? {} : { heldAtHome }),
          revision: before.revision,
        };
      });
      const rates = await ratesFor(deps.store, afters, budget);
      // The orders these name, for whether each still holds its recoupable share (evaluate).
      const named = afters.flatMap((a) =>
        a.data?.kind === 'actual' && a.data.settles && !stored.has(a.data.settles) ? [a.data.settles] : [],
      );
      const namedOrders =
        named.length > 0 ? [...(await deps.store.expenseStates(labelId, budgetId, named)).values()] : [];
      const holdsShare = orderHoldsShare([...afters, ...namedOrders]);
      // An actual a rate (or the budget's currency) lets count, or no longer, closes or reopens its commitment with it.
      const settled = await withSettlements(
        deps.store,
        labelId,
        budgetId,
        afters.map((a, i) => [befores[i], evaluate(a, budget, rates, holdsShare)]),
      );
      const commitments = settled.slice(befores.length).map(([, commitment]) => commitment);
      const commitmentRates = await ratesFor(deps.store, commitments, budget);
      const pairs = settled.map(([before, after], i): [ExpenseState, ExpenseState] => [
        before,
        evaluate(after, budget, i < befores.length ? rates : commitmentRates, holdsShare),
      ]);
      const evaluatedPairs = pairs.filter(([before, after]) => !sameState(after, before));
      const changed = (
        await withNamers(deps.store, labelId, budgetId, budget, evaluatedPairs, statesPerWrite * 2)
      ).filter(([before, after]) => !sameState(after, before));
      if (changed.length === 0) break;
      const delta: Counters = sum(
        ...changed.map(([before, after]) => difference(before.contribution, after.contribution)),
      );
      const states = changed.map(([, after]) => after);
      const orders = settlersChanged(changed);
      for (const order of orders) await deps.store.fileExpenseUnder(labelId, order, budgetId);
      let counted: boolean;
      try {
        counted = await deps.store.writeLedger(labelId, budgetId, { versions: [], states, delta });
      } catch (error) {
        if (!(error instanceof TotalPastLimitError)) throw error;
        // Past the limit: the first expense, in the order received, that passes it is refused for good,
        // and the rest counted again without it (see docs/design.md#money); each refusal takes one off.
        const { totals } = await deps.store.runningTotals(labelId, budgetId);
        if (refusals++ >= ids.length) throw error;
        if (!(await refuseUncountable(labelId, budgetId, error, totals, changed, ids, deps.store)))
          throw error;
        attempt = -1;
        continue;
      }
      // Refused: another writer's change, or this very write applied with its answer lost, which left
      // the states as it wrote them (docs/design.md#failures-and-retries).
      if (counted || (await storedAsWritten(deps.store, labelId, budgetId, states[0]))) {
        // An order whose holding of its share changed (its terms set) is written: its word goes out too.
        for (const order of new Set([...orders, ...holdingChanged(changed)]))
          await settleAcrossBudgets(labelId, order, budgetId, deps.store);
        written += changed.length;
        await countUnderTermsInForce(deps.store, labelId, budgetId, budget, ids);
        break;
      }
    }
  }
  return written;
}
