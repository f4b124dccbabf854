import type { Context } from 'aws-lambda';
import { makeHandler } from '#functions/budgets/handler.ts';
import type { BudgetMail, BudgetMailer } from '#functions/budgets/ports.ts';
import {
  BudgetReconciliationDue,
  BudgetReportDue,
  BudgetSet,
  buildDetail,
  type EventContract,
  ExpenseAmended,
  ExpenseRecorded,
  ExpenseVoided,
  ReconciliationDue,
} from '#shared/events/index.ts';
import { InMemoryBudgets } from './budgets.ts';
import { anEvent } from './events.ts';

/** Records every mail asked for and, like the mail module, sends each identity once. */
export class FakeBudgetMailer implements BudgetMailer {
  readonly asked: BudgetMail[] = [];
  readonly sent: BudgetMail[] = [];
  async send(mail: BudgetMail) {
    this.asked.push(mail);
    const identity = (m: BudgetMail) => JSON.stringify([m.to.email, m.labelId, m.subjectId, m.kind]);
    if (!this.sent.some((m) => identity(m) === identity(mail))) this.sent.push(mail);
  }
}

type Input<C extends EventContract> = Parameters<typeof buildDetail<C>>[1];

/** The budgets function on fakes, driven by events as the bus delivers them. */
export function budgetsHarness(options: { labelId?: string; timeZone?: string; now?: string } = {}) {
  const store = new InMemoryBudgets();
  const mailer = new FakeBudgetMailer();
  const labelId = options.labelId ?? 'lbl-1';
  let now = new Date(options.now ?? '2027-01-01T08:00:00.000Z');
  const handle = makeHandler({ store, mailer, now: () => now, timeZone: options.timeZone ?? 'UTC' });
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
    mailer,
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
