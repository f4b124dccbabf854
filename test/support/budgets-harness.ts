import type { Context } from 'aws-lambda';
import { makeHandler } from '#functions/budgets/handler.ts';
import { mailSubjects } from '#shared/db/deliveries.ts';
import {
  BudgetReconciliationDue,
  BudgetReportDue,
  BudgetSet,
  BudgetThresholdCrossed,
  buildDetail,
  type EventContract,
  ExpenseAmended,
  ExpenseRecorded,
  ExpenseVoided,
  outboxEntry,
  ReconciliationDue,
  TourShowSettled,
} from '#shared/events/index.ts';
import { parseWebhookBody } from '#shared/webhooks.ts';
import { fakeMailDeps } from './announcer-fakes.ts';
import { InMemoryBudgets } from './budgets.ts';
import { anEvent } from './events.ts';

/** A mail SES accepted, as the budget's owner receives it. */
export interface ReceivedMail {
  email: string;
  kind: string;
  template: string;
  data: unknown;
  subject: readonly string[];
}

type Input<C extends EventContract> = Parameters<typeof buildDetail<C>>[1];

/** The budgets function on fakes, driven by events as the bus delivers them. */
export function budgetsHarness(options: { labelId?: string; timeZone?: string; now?: string } = {}) {
  const store = new InMemoryBudgets();
  const labelId = options.labelId ?? 'lbl-1';
  let now = new Date(options.now ?? '2027-01-01T08:00:00.000Z');
  // The real mail module (claim, send, settle) on a fake delivery store and a fake SES.
  const {
    deps: mail,
    deliveries,
    mailer,
    measure,
  } = fakeMailDeps(() => now, { claimConcurrency: 4, throttleBackoffMs: 1_000, staleClaimMs: 15 * 60_000 });
  // One recorder for the function's metrics and its mail module's.
  const handle = makeHandler({ store, mail, now: () => now, timeZone: options.timeZone ?? 'UTC' }, measure);
  /** Every mail SES accepted, in order: a mail refused and sent again, as the call that SES accepted. */
  const received = (): ReceivedMail[] =>
    mailer.calls.flatMap((call, index) =>
      call.entries
        .filter((entry) =>
          mailer.delivered.some((d) => d.deliveryId === entry.deliveryId && d.call === index + 1),
        )
        .map((entry) => ({
          email: entry.email,
          kind: call.kind,
          template: call.template,
          data: entry.data,
          subject: deliveries.items.get(entry.deliveryId)?.subject ?? [],
        })),
    );
  let sequence = 0;
  const deliver = async <C extends EventContract>(
    contract: C,
    data: Input<C>,
    meta: { occurredAt?: string; eventId?: string } = {},
  ) => {
    const detail = buildDetail(contract, data, {
      labelId,
      eventId: meta.eventId ?? `evt-${++sequence}`,
      occurredAt: meta.occurredAt ?? now.toISOString(),
    });
    await handle(anEvent(contract, detail), {} as Context);
    return detail;
  };
  /** Delivers what the outbox holds for these detail-types (as the publisher would), once each. */
  const delivered = new Set<string>();
  const drain = async (...detailTypes: string[]) => {
    for (;;) {
      const next = store.published.find(
        (e) => detailTypes.includes(e.detailType) && !delivered.has(e.eventId),
      );
      if (!next) return;
      delivered.add(next.eventId);
      await handle(
        { 'detail-type': next.detailType, source: next.source, detail: next.detail } as never,
        {} as Context,
      );
    }
  };
  return {
    store,
    /** The mail module's ports: a test may swap one (its suppression list, say). */
    mail,
    mailer,
    deliveries,
    measure,
    received,
    labelId,
    setNow: (at: string) => {
      now = new Date(at);
    },
    budget: (data: Input<typeof BudgetSet>, occurredAt?: string) =>
      deliver(BudgetSet, data, occurredAt ? { occurredAt } : {}),
    expense: (data: Input<typeof ExpenseRecorded>, meta?: { occurredAt?: string; eventId?: string }) =>
      deliver(ExpenseRecorded, data, meta),
    amend: (data: Input<typeof ExpenseAmended>, meta?: { occurredAt?: string; eventId?: string }) =>
      deliver(ExpenseAmended, data, meta),
    voidExpense: (data: Input<typeof ExpenseVoided>, meta?: { occurredAt?: string; eventId?: string }) =>
      deliver(ExpenseVoided, data, meta),
    settle: (data: Input<typeof TourShowSettled>, meta?: { occurredAt?: string; eventId?: string }) =>
      deliver(TourShowSettled, data, meta),
    deliver,
    /** The daily run: the schedule's event, then every per-budget event it fans out to. */
    reconcile: async (date: string) => {
      await deliver(ReconciliationDue, { date }, { occurredAt: `${date}T07:00:00.000Z` });
      await drain(ReconciliationDue.detailType, BudgetReconciliationDue.detailType);
    },
    report: async (date: string) => {
      await deliver(BudgetReportDue, { date }, { occurredAt: `${date}T07:30:00.000Z` });
      await drain(BudgetReportDue.detailType);
    },
    events: (detailType: string) => store.published.filter((e) => e.detailType === detailType),
    ledger: (budgetId: string) => store.ledger(labelId, budgetId),
  };
}

/** A `budget.set` body: two EUR lines (radio 600.00, ads 400.00) over March 2027. */
export const aBudget = (overrides: Partial<typeof BudgetSet.sample> = {}) => ({
  ...BudgetSet.sample,
  budgetId: 'bud-1',
  period: { start: '2027-03-01', end: '2027-03-30' },
  owner: { name: 'Mara Quinn', email: 'mara@label.example' },
  thresholds: [50, 80, 100],
  lines: [
    { lineId: 'radio', category: 'radio-plugging' as const, planned: { minor: 60_000, currency: 'EUR' } },
    { lineId: 'ads', category: 'advertising' as const, planned: { minor: 40_000, currency: 'EUR' } },
  ],
  ...overrides,
});
/** A `budget.set` body of tour-eu: one EUR line (travel 1,000.00) over May 2027, a show's settlement its income. */
export const aTourBudget = (overrides: Partial<typeof BudgetSet.sample> = {}) => ({
  ...BudgetSet.sample,
  budgetId: 'bud-tour',
  scope: { kind: 'tour' as const, id: 'tour-eu' },
  currency: 'EUR',
  period: { start: '2027-05-01', end: '2027-05-31' },
  owner: { name: 'Mara Quinn', email: 'mara@label.example' },
  thresholds: [80, 100],
  lines: [{ lineId: 'travel', category: 'travel' as const, planned: { minor: 100_000, currency: 'EUR' } }],
  ...overrides,
});
/** An `expense.recorded` body: 100.00 EUR on the radio line of bud-1. */
export const anExpense = (overrides: Partial<typeof ExpenseRecorded.sample> = {}) => ({
  expenseId: 'exp-1',
  budgetId: 'bud-1',
  lineId: 'radio',
  vendor: 'Airplay Partners',
  date: '2027-03-02',
  amount: { minor: 10_000, currency: 'EUR' },
  kind: 'actual' as const,
  ...overrides,
});
/** An expense's `recoupable`: wholly recoupable from the artist art-1 (Night Drive). */
export const artistInFull = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };
/** A version 1 `budget.set` body (one limit, no lines) for January to June 2027: 5,000.00 in `currency`. */
export const aVersion1Budget = (currency = 'EUR', ownerEmail = 'owner@label.example') => ({
  budgetId: 'bud-v1',
  scope: { kind: 'release', id: 'rel-1' },
  limit: { minor: 500_000, currency },
  startsOn: '2027-01-01',
  endsOn: '2027-06-30',
  ownerEmail,
});
/** A label's webhook body of `type` with `data`, sent at `timestamp`, as intake parses it. */
export const aParsedBody = (type: string, timestamp: string, data: unknown) =>
  parseWebhookBody(JSON.stringify({ type, timestamp, data }));

/**
 * The first write of `h`'s store that carries checks (a release of an order held in another budget, or
 * the home's word pushed to one) throttled once, as DynamoDB throttles it; answers whether it was.
 */
export function throttleFirstRelease(h: ReturnType<typeof budgetsHarness>): () => boolean {
  const writeLedger = h.store.writeLedger.bind(h.store);
  let failed = false;
  h.store.writeLedger = async (labelId, budgetId, write) => {
    if (!failed && (write.checks?.length ?? 0) > 0) {
      failed = true;
      throw new Error('ProvisionedThroughputExceededException');
    }
    return writeLedger(labelId, budgetId, write);
  };
  return () => failed;
}

/**
 * `budgetId` set at `occurredAt`, the release its recount makes (the first write with checks) throttled,
 * and the redelivery of the same Budget Set finding its invoice counted already: the release is lost, for
 * the reconciliation to repair. Throws unless the first delivery failed.
 */
export async function loseRelease(
  h: ReturnType<typeof budgetsHarness>,
  budgetId: string,
  occurredAt: string,
) {
  throttleFirstRelease(h);
  const first = await h.budget(aBudget({ budgetId }), occurredAt).then(
    () => 'delivered',
    () => 'threw',
  );
  if (first !== 'threw') throw new Error(`the Budget Set of ${budgetId} was not throttled`);
  await h.budget(aBudget({ budgetId }), occurredAt);
}

/** The differences Budget Drift Repaired stated for `budgetId`, in the order they were published. */
export const driftStated = (h: ReturnType<typeof budgetsHarness>, budgetId: string) =>
  h
    .events('Budget Drift Repaired')
    .map((e) => (e.detail as { data: { budgetId: string; differences: unknown[] } }).data)
    .filter((d) => d.budgetId === budgetId)
    .flatMap((d) => d.differences);

/**
 * The video's order (500.00 EUR) in bud-1 and fifty of the crew's invoices naming it (10.00 USD each of
 * 4 March, no rate), each recoupable from `recoupable`; the order voided: none had a share while the
 * order held it, and more invoices name it than its write counts again, so the reconciliation repairs
 * their shares (counted apart, in no running total; docs/design.md#budgets).
 */
export async function crewInvoicesOfAVoidedOrder(
  h: ReturnType<typeof budgetsHarness>,
  recoupable: Partial<typeof ExpenseRecorded.sample>['recoupable'],
) {
  await h.expense(
    anExpense({
      expenseId: 'po-video',
      kind: 'commitment',
      amount: { minor: 50_000, currency: 'EUR' },
      recoupable,
    }),
  );
  for (let n = 1; n <= 50; n++)
    await h.expense(
      anExpense({
        expenseId: `inv-crew-${n}`,
        settles: 'po-video',
        date: '2027-03-04',
        amount: { minor: 1_000, currency: 'USD' },
        recoupable,
      }),
    );
  await h.voidExpense({ expenseId: 'po-video', budgetId: 'bud-1', reason: 'Raised in error' });
}

/**
 * The budgets set (bud-1 and `budgets`) on 5 March, `expenses` recorded in order, then bud-3 set with its
 * release into bud-1 throttled and lost; the harness at the next morning's run, not yet reconciled.
 */
export async function lostRelease(expenses: ReturnType<typeof anExpense>[], budgets: string[] = []) {
  const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
  for (const budgetId of ['bud-1', ...budgets]) await h.budget(aBudget({ budgetId }));
  for (const expense of expenses) await h.expense(expense);
  await loseRelease(h, 'bud-3', '2027-03-05T09:00:00.000Z');
  h.setNow('2027-03-06T07:00:00.000Z');
  return h;
}

/**
 * Orders in bud-1 (10.00 USD each of 4 March, no rate yet: counted apart, each with its share of
 * `recoupable`), then for each an invoice (`inv-<order>`, 10.00 EUR) settling it booked to bud-3: the
 * expenses of a lostRelease whose releases into bud-1 are all lost.
 */
export const unconvertedOrdersSettledInBud3 = (
  orderIds: string[],
  recoupable: Partial<typeof ExpenseRecorded.sample>['recoupable'],
) => [
  ...orderIds.map((orderId) =>
    anExpense({
      expenseId: orderId,
      kind: 'commitment',
      date: '2027-03-04',
      amount: { minor: 1_000, currency: 'USD' },
      recoupable,
    }),
  ),
  ...orderIds.map((orderId) =>
    anExpense({
      expenseId: `inv-${orderId}`,
      budgetId: 'bud-3',
      settles: orderId,
      amount: { minor: 1_000, currency: 'EUR' },
      recoupable,
    }),
  ),
];

/**
 * Right after each of the first `times` strong reads of `budgetId`'s ledger, the label records
 * `expense(n)` there (n counting from 1), as an import racing its reconciliation; answers how many it
 * recorded.
 */
export function recordAfterStrongReads(
  h: ReturnType<typeof budgetsHarness>,
  budgetId: string,
  times: number,
  expense: (n: number) => Input<typeof ExpenseRecorded>,
): () => number {
  const ledger = h.store.ledger.bind(h.store);
  let recorded = 0;
  h.store.ledger = async (labelId: string, readOf: string, options?: { consistent?: boolean }) => {
    const read = await ledger(labelId, readOf);
    if (recorded < times && readOf === budgetId && options?.consistent) {
      recorded++;
      await h.expense(expense(recorded));
    }
    return read;
  };
  return () => recorded;
}

/** The ad agency's `n`th small invoice (1.00 EUR) on bud-1's ads line. */
export const anAdsInvoice = (n: number) =>
  anExpense({
    expenseId: `inv-ads-${n}`,
    lineId: 'ads',
    vendor: 'Adwise',
    amount: { minor: 100, currency: 'EUR' },
  });

/**
 * The video's order (500.00 in `currency`) in bud-1, released by the director's invoice (300.00 EUR) in
 * bud-3; both with the share `recoupable` when told.
 */
export async function anOrderReleasedFromBud3(
  h: ReturnType<typeof budgetsHarness>,
  currency = 'EUR',
  recoupable?: Partial<typeof ExpenseRecorded.sample>['recoupable'],
) {
  const shared = recoupable ? { recoupable } : {};
  await h.expense(
    anExpense({ expenseId: 'po-video', kind: 'commitment', amount: { minor: 50_000, currency }, ...shared }),
  );
  await h.expense(
    anExpense({
      expenseId: 'inv-director',
      budgetId: 'bud-3',
      settles: 'po-video',
      amount: { minor: 30_000, currency: 'EUR' },
      ...shared,
    }),
  );
}

/**
 * 9 March's reconciliation of bud-1 (aBudget's March, plan 1,000.00 EUR), `used` minor units spent, raised
 * the alert of `threshold` % and claimed its mail to the owner at 07:00 UTC, then stopped before SES's
 * answer: the claim open. With `plan`, the alert is one measured against that plan (its id and the mail's
 * revision name it).
 */
export async function alertClaimedOn9March(
  h: ReturnType<typeof budgetsHarness>,
  threshold: number,
  used: number,
  plan?: number,
) {
  await h.store.raiseAlert(
    'lbl-1',
    'bud-1',
    `threshold#${threshold}#2027-03-01#2027-03-30${plan ? `#${plan}` : ''}`,
    '2027-03-09T07:00:00.000Z',
    '2027-03-09',
    outboxEntry(
      BudgetThresholdCrossed,
      {
        labelId: 'lbl-1',
        budgetId: 'bud-1',
        date: '2027-03-09',
        period: aBudget().period,
        threshold,
        usedPercent: used / 1_000,
        used: { minor: used, currency: 'EUR' },
        planned: { minor: 100_000, currency: 'EUR' },
      },
      { source: 'backline.budgets', labelId: 'lbl-1' },
    ),
  );
  const claim = await h.deliveries.claim(
    {
      labelId: 'lbl-1',
      subject: mailSubjects.budgetAlert('bud-1', `threshold:${threshold}`, '2027-03-01'),
      email: 'mara@label.example',
      kind: 'threshold-crossed',
      ...(plan ? { revision: `plan-${plan}` } : {}),
      stream: 'operational',
      context: { budgetId: 'bud-1' },
    },
    '2027-03-09T07:00:00.000Z',
  );
  return claim!;
}
