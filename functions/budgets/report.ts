import { dateIn } from '#shared/days.ts';
import type { HeldExpense } from '#shared/db/budgets.ts';
import {
  BudgetReportDue,
  type EventData,
  ExpenseHeldTooLong,
  type Metadata,
  outboxEntry,
} from '#shared/events/index.ts';
import { reportMail, sendReport, withLate, worthReporting } from './mail.ts';
import type { BudgetsDeps } from './ports.ts';
import { isActive } from './reconcile.ts';

const source = 'backline.budgets';

/** Owners reported per invocation: each is one query and one mail, well inside the function's timeout. */
export const ownersPerPage = 25;

/** An expense for an unknown budget is reported once it has waited this long. */
const heldReportAfterDays = 7;

/**
 * The daily report (07:30 in the manager's time zone, after the 07:00 reconciliation): one mail per
 * budget owner and label, built from that day's results, a page of owners per invocation; the next
 * page follows through the outbox with a cursor. No mail when nothing changed and nothing is at risk.
 * A result kept after its own day's report began is in the first report made after it (see withLate, mail.ts).
 * The first page first reports the expenses that passed 7 days held (see reportHeldExpenses).
 */
export async function sendReports(
  data: EventData<typeof BudgetReportDue>,
  metadata: Metadata,
  deps: BudgetsDeps,
) {
  const date = data.date ?? dateIn(metadata.occurredAt, deps.timeZone);
  if (!data.cursor) {
    // Before any owner is read: a day's result kept after this is noted late, for a later report.
    await deps.store.beginReport(date, deps.now().toISOString());
    await reportHeldExpenses(date, metadata, deps);
  }
  const page = await deps.store.reportOwnersPage(date, data.cursor, ownersPerPage);
  for (const { labelId, ownerEmail } of page.items) {
    // Read before the day's: a result is kept before it is noted late, so every one noted is read.
    const late = await deps.store.lateResults(date, labelId, ownerEmail);
    const results = withLate(await deps.store.dayResults(date, labelId, ownerEmail), late);
    const held = results.length > 0 ? await deps.store.heldReported(date, labelId) : [];
    // Told by the report's mail, or nothing in them to report: no later report reads them again. A
    // retry finding the mail claimed marks only those its claim keeps (sendReport).
    const reported =
      results.length > 0 && worthReporting(results, held)
        ? await sendReport(
            deps,
            reportMail(labelId, date, results, held, deps.timeZone, late),
            late,
            metadata.correlationId,
          )
        : late;
    if (reported.length > 0) await deps.store.markLateReported(date, labelId, ownerEmail, reported);
  }
  if (page.cursor)
    await deps.store.putFanOutPage('report', date, data.cursor, [
      outboxEntry(
        BudgetReportDue,
        { date, cursor: page.cursor },
        { source, correlationId: metadata.correlationId },
      ),
    ]);
}

/**
 * Expenses still held 7 days after they arrived (their budget never came), each reported once: listed
 * in the day's report of every owner of the label's active budgets, and stated on the bus as `Expense
 * Held Too Long` (the only word of it when the label has no active budget). The sweep reads the held
 * expenses first seen since its last run up to 7 days ago, so none is read twice, and a missed day is
 * caught up on the next.
 */
async function reportHeldExpenses(date: string, metadata: Metadata, deps: BudgetsDeps) {
  const before = new Date(Date.parse(metadata.occurredAt) - heldReportAfterDays * 86_400_000).toISOString();
  const held = await deps.store.heldExpenses(await deps.store.heldSweptBefore(), before);
  const byLabel = Map.groupBy(held, (h) => h.labelId);
  for (const [labelId, expenses] of byLabel) {
    const owners = await activeOwners(labelId, date, deps);
    for (const expense of expenses)
      await deps.store.reportHeld(date, expense, heldEvent(expense, date, owners, metadata));
  }
  await deps.store.markHeldSwept(before);
}

const activeOwners = async (labelId: string, date: string, deps: Pick<BudgetsDeps, 'store'>) =>
  [
    ...new Set(
      (await deps.store.labelBudgets(labelId))
        .filter((budget) => isActive(budget.period.end, date))
        .map((budget) => budget.owner.email),
    ),
  ].sort();

const heldEvent = (held: HeldExpense, date: string, owners: string[], metadata: Metadata) =>
  outboxEntry(
    ExpenseHeldTooLong,
    {
      labelId: held.labelId,
      budgetId: held.budgetId,
      expenseId: held.expenseId,
      date,
      firstSeenAt: held.firstSeenAt,
      ...(held.expense ? { expense: held.expense } : {}),
      owners,
    },
    { source, labelId: held.labelId, correlationId: metadata.correlationId },
  );
