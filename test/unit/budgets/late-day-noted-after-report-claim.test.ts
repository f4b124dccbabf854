import { describe, expect, it } from 'vitest';
import { BudgetReconciliationDue, BudgetReportDue, OutboxSweepDue } from '#shared/events/index.ts';
import { MailerError } from '#shared/mail/ports.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

type Harness = ReturnType<typeof budgetsHarness>;

/** The owner's reports SES accepted, as [day, each row's budget and actual spend]. */
const reports = (h: Harness) =>
  h
    .received()
    .filter((mail) => mail.kind === 'budget-report')
    .map((mail) => [
      mail.subject[2],
      (mail.data as { text: { rows: { budgetId: string; actual: string }[] } }).text.rows.map(
        (row) => `${row.budgetId} ${row.actual}`,
      ),
    ]);

/**
 * Two March budgets of one owner (100.00 EUR spent on each), reported on 29 April, then a late March
 * invoice on each recorded that afternoon (50.00 EUR on bud-1, 20.00 EUR on bud-2). 30 April, their last
 * active day, is reconciled for bud-1 at 09:10, after that day's report; bud-2's is redriven later.
 */
const lateInvoicesOfTwoBudgets = async () => {
  const h = budgetsHarness({ now: '2027-03-02T08:00:00.000Z' });
  await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
  await h.budget(aBudget({ budgetId: 'bud-2' }), '2027-03-01T00:00:00.000Z');
  await h.expense(anExpense({ date: '2027-03-02', amount: { minor: 10_000, currency: 'EUR' } }));
  await h.expense(anExpense({ expenseId: 'exp-3', budgetId: 'bud-2', date: '2027-03-02' }));
  h.setNow('2027-04-29T07:00:00.000Z');
  await h.reconcile('2027-04-29');
  await h.report('2027-04-29');
  h.setNow('2027-04-29T15:00:00.000Z');
  await h.expense(
    anExpense({ expenseId: 'exp-2', date: '2027-03-20', amount: { minor: 5_000, currency: 'EUR' } }),
  );
  await h.expense(
    anExpense({
      expenseId: 'exp-4',
      budgetId: 'bud-2',
      date: '2027-03-20',
      amount: { minor: 2_000, currency: 'EUR' },
    }),
  );
  h.setNow('2027-04-30T07:30:00.000Z');
  await h.report('2027-04-30');
  h.setNow('2027-04-30T09:10:00.000Z');
  await h.deliver(BudgetReconciliationDue, { labelId: h.labelId, budgetId: 'bud-1', date: '2027-04-30' });
  return h;
};

/** The report's late days marked reported fail once: the attempt stops after its mail was claimed. */
const stopsOnceBeforeMarkingLateDays = (h: Harness) => {
  const markLateReported = h.store.markLateReported.bind(h.store);
  let failed = false;
  h.store.markLateReported = async (...args) => {
    if (!failed) {
      failed = true;
      throw new Error('Task timed out after 60.00 seconds');
    }
    return markLateReported(...args);
  };
};

const reportOf1May = { date: '2027-05-01' };
const reportEvent = { occurredAt: '2027-05-01T07:30:00.000Z', eventId: 'evt-report-1-may' };

/**
 * 1 May's report claims its mail, telling bud-1's late 30 April, and stops before marking it reported;
 * bud-2's 30 April, redriven meanwhile, is noted late after that claim, which does not keep it; then
 * Lambda retries the report, which finds its mail claimed (docs/design.md#budgets).
 */
const retriedAfterALateDayNotedSinceItsClaim = async (h: Harness) => {
  stopsOnceBeforeMarkingLateDays(h);
  await expect(h.deliver(BudgetReportDue, reportOf1May, reportEvent)).rejects.toThrow('timed out');
  h.setNow('2027-05-01T07:40:00.000Z');
  await h.deliver(BudgetReconciliationDue, { labelId: h.labelId, budgetId: 'bud-2', date: '2027-04-30' });
  h.setNow('2027-05-01T07:45:00.000Z');
  await h.deliver(BudgetReportDue, reportOf1May, reportEvent);
};

describe('a late day noted after a report claimed its mail, the report retried', () => {
  it('is in the next report, the late day the claim kept in no other', async () => {
    const h = await lateInvoicesOfTwoBudgets();

    await retriedAfterALateDayNotedSinceItsClaim(h);
    h.setNow('2027-05-02T07:30:00.000Z');
    await h.report('2027-05-02');

    expect(reports(h)).toEqual([
      ['2027-04-29', ['bud-1 100.00 EUR', 'bud-2 100.00 EUR']],
      ['2027-05-01', ['bud-1 150.00 EUR']],
      ['2027-05-02', ['bud-2 120.00 EUR']],
    ]);
  });

  it('is in the next report when the stale-claim sweep sends the report left claimed', async () => {
    const h = await lateInvoicesOfTwoBudgets();
    // SES has sending paused: 1 May's report is left claimed for the sweep.
    h.mailer.script = () => new MailerError('paused', 'SendBulkEmail failed: SendingPausedException');

    await retriedAfterALateDayNotedSinceItsClaim(h);
    h.mailer.script = undefined;
    h.setNow('2027-05-01T09:00:00.000Z');
    await h.deliver(OutboxSweepDue, {});
    h.setNow('2027-05-02T07:30:00.000Z');
    await h.report('2027-05-02');

    expect(reports(h)).toEqual([
      ['2027-04-29', ['bud-1 100.00 EUR', 'bud-2 100.00 EUR']],
      ['2027-05-01', ['bud-1 150.00 EUR']],
      ['2027-05-02', ['bud-2 120.00 EUR']],
    ]);
  });
});
