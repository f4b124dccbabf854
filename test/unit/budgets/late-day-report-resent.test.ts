import { describe, expect, it } from 'vitest';
import { OutboxSweepDue } from '#shared/events/index.ts';
import { MailerError } from '#shared/mail/ports.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/** The owner's reports SES accepted, as [address, day, the actual spend of bud-1 the report states]. */
const reports = (h: ReturnType<typeof budgetsHarness>) =>
  h
    .received()
    .filter((mail) => mail.kind === 'budget-report')
    .map((mail) => {
      const rows = (mail.data as { text: { rows: { budgetId: string; actual: string }[] } }).text.rows;
      return [mail.email, mail.subject[2], rows.find((r) => r.budgetId === 'bud-1')?.actual];
    });

/**
 * March's budget, reported on 29 April (100.00 EUR spent), then a late March invoice of 50.00 EUR recorded
 * that afternoon; 30 April, its last active day, reconciled at 09:10, after that day's 07:30 report. Its
 * only report is 1 May's, the first after it (no result of 1 May carries it).
 */
const lastDayReconciledAfterItsReport = async () => {
  const h = budgetsHarness({ now: '2027-03-02T08:00:00.000Z' });
  await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
  await h.expense(anExpense({ date: '2027-03-02', amount: { minor: 10_000, currency: 'EUR' } }));
  h.setNow('2027-04-29T07:00:00.000Z');
  await h.reconcile('2027-04-29');
  await h.report('2027-04-29');
  h.setNow('2027-04-29T15:00:00.000Z');
  await h.expense(
    anExpense({ expenseId: 'exp-2', date: '2027-03-20', amount: { minor: 5_000, currency: 'EUR' } }),
  );
  h.setNow('2027-04-30T07:30:00.000Z');
  await h.report('2027-04-30');
  h.setNow('2027-04-30T09:10:00.000Z');
  await h.reconcile('2027-04-30');
  h.setNow('2027-05-01T07:00:00.000Z');
  await h.reconcile('2027-05-01');
  return h;
};

/**
 * A report that tells a late day (docs/design.md#budgets) and whose mail is left claimed is sent by the
 * stale-claim sweep as its first sending would have been: with that late day, which the report marked
 * reported, so no later report tells it.
 */
describe('a report telling a late day, its mail left claimed', () => {
  it('is sent by the stale-claim sweep with that late day, once', async () => {
    const h = await lastDayReconciledAfterItsReport();
    // 1 May's report: SES has sending paused, the mail is left claimed for the sweep.
    h.mailer.script = () => new MailerError('paused', 'SendBulkEmail failed: SendingPausedException');
    await h.report('2027-05-01');
    h.mailer.script = undefined;

    h.setNow('2027-05-01T09:00:00.000Z');
    await h.deliver(OutboxSweepDue, {});
    h.setNow('2027-05-02T07:00:00.000Z');
    await h.reconcile('2027-05-02');
    await h.report('2027-05-02');

    // The 50.00 EUR of 29 April reached the owner: in 1 May's report, sent by the sweep.
    expect(reports(h)).toEqual([
      ['mara@label.example', '2027-04-29', '100.00 EUR'],
      ['mara@label.example', '2027-05-01', '150.00 EUR'],
    ]);
    expect(h.mailer.kindsReceivedBy('mara@label.example')).toEqual(['budget-report', 'budget-report']);
  });
});
