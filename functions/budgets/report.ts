import { dateIn } from '#shared/calendar.ts';
import { BudgetReportDue, type EventData, type Metadata, outboxEntry } from '#shared/events/index.ts';
import { reportMail, sendBudgetMail, worthReporting } from './mail.ts';
import type { BudgetsDeps } from './ports.ts';

/** Owners reported per invocation: each is one query and one mail, well inside the function's timeout. */
export const ownersPerPage = 25;

/** An expense for an unknown budget is reported once it has waited this long. */
const heldReportAfterDays = 7;

/**
 * The daily report (07:30 in the manager's time zone, after the 07:00 reconciliation): one mail per
 * budget owner and label, built from that day's results, a page of owners per invocation; the next
 * page follows through the outbox with a cursor. No mail when nothing changed and nothing is at risk.
 */
export async function sendReports(
  data: EventData<typeof BudgetReportDue>,
  metadata: Metadata,
  deps: BudgetsDeps,
) {
  const date = data.date ?? dateIn(metadata.occurredAt, deps.timeZone);
  const page = await deps.store.reportOwnersPage(date, data.cursor, ownersPerPage);
  const heldBefore = new Date(
    Date.parse(metadata.occurredAt) - heldReportAfterDays * 86_400_000,
  ).toISOString();
  for (const { labelId, ownerEmail } of page.items) {
    const results = await deps.store.dayResults(date, labelId, ownerEmail);
    if (results.length === 0) continue;
    const held = await deps.store.heldExpenses(labelId, heldBefore);
    if (!worthReporting(results, held)) continue;
    await sendBudgetMail(deps, [reportMail(labelId, date, results, held)]);
  }
  if (page.cursor)
    await deps.store.putFanOutPage('report', date, data.cursor, [
      outboxEntry(
        BudgetReportDue,
        { date, cursor: page.cursor },
        { source: 'backline.budgets', correlationId: metadata.correlationId },
      ),
    ]);
}
