import { describe, expect, it } from 'vitest';
import { BudgetReconciliationDue, BudgetThresholdCrossed, ReconciliationDue } from '#shared/events/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/** The owner's reports, as [address, day, the actual spend of bud-1 the report states]. */
const reports = (h: ReturnType<typeof budgetsHarness>) =>
  h
    .received()
    .filter((m) => m.kind === 'budget-report')
    .map((m) => {
      const rows = (m.data as { text: { rows: { budgetId: string; actual: string }[] } }).text.rows;
      return [m.email, m.subject[2], rows.find((r) => r.budgetId === 'bud-1')?.actual];
    });

/**
 * bud-1 (March's budget, 100.00 EUR spent) reconciled and reported on `day`, then 50.00 EUR more, dated
 * `dated`, recorded that afternoon.
 */
const expenseAfterReportOf = async (day: string, dated: string) => {
  const h = budgetsHarness({ now: '2027-03-02T08:00:00.000Z' });
  await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
  await h.expense(anExpense({ date: '2027-03-02', amount: { minor: 10_000, currency: 'EUR' } }));
  h.setNow(`${day}T07:00:00.000Z`);
  await h.reconcile(day);
  await h.report(day);
  h.setNow(`${day}T15:00:00.000Z`);
  await h.expense(anExpense({ expenseId: 'exp-2', date: dated, amount: { minor: 5_000, currency: 'EUR' } }));
  return h;
};

/** bud-1 reported on 3 March (100.00 EUR spent), then 50.00 EUR more recorded that afternoon. */
const expenseAfterReportOf3March = () => expenseAfterReportOf('2027-03-03', '2027-03-03');

/**
 * March's budget, reported on 29 April (100.00 EUR spent), then a late March invoice of 50.00 EUR recorded
 * that afternoon. March's budget is reconciled until 30 April, 31 days after its period ends.
 */
const lateInvoiceOf29April = () => expenseAfterReportOf('2027-04-29', '2027-03-20');

/**
 * The day's 07:30 report, and the day's run reaching bud-1 only at 09:10, after it (its reconciliation
 * throttled and retried, a fan-out still running).
 */
const reconciledAfterItsReport = async (h: ReturnType<typeof budgetsHarness>, date: string) => {
  h.setNow(`${date}T07:30:00.000Z`);
  await h.report(date);
  h.setNow(`${date}T09:10:00.000Z`);
  await h.reconcile(date);
};

describe("a budget's change its owner reads of in a morning report", () => {
  it("reports an expense recorded after the day's 07:30 report in the next morning's report", async () => {
    const h = await expenseAfterReportOf3March();

    h.setNow('2027-03-04T07:00:00.000Z');
    await h.reconcile('2027-03-04');
    await h.report('2027-03-04');

    expect(reports(h)).toEqual([
      ['mara@label.example', '2027-03-03', '100.00 EUR'],
      ['mara@label.example', '2027-03-04', '150.00 EUR'],
    ]);
  });

  it("reports a day reconciled after that day's 07:30 report (a retry, a redrive) in the next morning's report", async () => {
    const h = await expenseAfterReportOf3March();

    // 4 March: the fan-out ran at 07:00, but bud-1's reconciliation failed (throttled) and its retry
    // reached it only after the 07:30 report, which had no result of it to report.
    await reconciledAfterItsReport(h, '2027-03-04');
    // Nothing moves on the 4th after that: the 5th's figures are the 4th's.
    h.setNow('2027-03-05T07:00:00.000Z');
    await h.deliver(BudgetReconciliationDue, { labelId: 'lbl-1', budgetId: 'bud-1', date: '2027-03-05' });
    await h.report('2027-03-05');

    const [fourth] = await h.store.dayResults('2027-03-04', 'lbl-1', 'mara@label.example');
    expect([fourth?.actual, fourth?.changed]).toEqual([15_000, true]);
    // The 50.00 EUR of 3 March reached the owner in a report: the 5th's, the first after the 4th's result.
    expect(reports(h)).toEqual([
      ['mara@label.example', '2027-03-03', '100.00 EUR'],
      ['mara@label.example', '2027-03-05', '150.00 EUR'],
    ]);
  });

  it("reports a late day in the next morning's report also when that morning's reconciliation is late too, and once", async () => {
    const h = await expenseAfterReportOf3March();

    await reconciledAfterItsReport(h, '2027-03-04');
    await reconciledAfterItsReport(h, '2027-03-05');
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');
    await h.report('2027-03-06');

    // The 5th's report is made before any result of the 5th: it states the 4th's, and the 6th has nothing new.
    expect(reports(h)).toEqual([
      ['mara@label.example', '2027-03-03', '100.00 EUR'],
      ['mara@label.example', '2027-03-05', '150.00 EUR'],
    ]);
  });

  it("reports a budget's last active day reconciled after that day's report in the morning report after it", async () => {
    // No 1 May result carries 30 April's.
    const h = await lateInvoiceOf29April();

    await reconciledAfterItsReport(h, '2027-04-30');
    h.setNow('2027-05-01T07:00:00.000Z');
    await h.reconcile('2027-05-01');
    await h.report('2027-05-01');

    // The 50.00 EUR of 29 April reached the owner: in 1 May's report, the first after 30 April's result.
    expect(reports(h)).toEqual([
      ['mara@label.example', '2027-04-29', '100.00 EUR'],
      ['mara@label.example', '2027-05-01', '150.00 EUR'],
    ]);
    // Read late, not carried by a result of 1 May: that day is none of bud-1's, its run keeps no result of it.
    expect(await h.store.dayResults('2027-05-01', 'lbl-1', 'mara@label.example')).toEqual([]);
  });

  it("reports the last active day reconciled after its report when the morning after's run is late too", async () => {
    const h = await lateInvoiceOf29April();

    await reconciledAfterItsReport(h, '2027-04-30');
    // 1 May (the day after its last, none of its days): that day's run is late too, after its report.
    await reconciledAfterItsReport(h, '2027-05-01');
    h.setNow('2027-05-02T07:00:00.000Z');
    await h.reconcile('2027-05-02');
    await h.report('2027-05-02');

    // The 50.00 EUR of 29 April reached the owner in the first report made after 30 April's result.
    expect(reports(h)).toEqual([
      ['mara@label.example', '2027-04-29', '100.00 EUR'],
      ['mara@label.example', '2027-05-01', '150.00 EUR'],
    ]);
  });

  it("reports a day redriven from its dead letters after the next day's run and report in the first report made after it, once", async () => {
    const h = await lateInvoiceOf29April();
    // 30 April: bud-1's reconciliation failed into the dead letters (its run's event not delivered here).
    h.setNow('2027-04-30T07:30:00.000Z');
    await h.report('2027-04-30');
    h.setNow('2027-05-01T07:00:00.000Z');
    await h.reconcile('2027-05-01');
    await h.report('2027-05-01');

    // Redriven on 1 May at 10:00, after that day's run had passed bud-1 and its report was made; and
    // redriven once more on 2 May, after the report that read it.
    const redriven = { labelId: 'lbl-1', budgetId: 'bud-1', date: '2027-04-30' };
    h.setNow('2027-05-01T10:00:00.000Z');
    await h.deliver(BudgetReconciliationDue, redriven);
    h.setNow('2027-05-02T07:00:00.000Z');
    await h.reconcile('2027-05-02');
    await h.report('2027-05-02');
    h.setNow('2027-05-02T10:00:00.000Z');
    await h.deliver(BudgetReconciliationDue, redriven);
    h.setNow('2027-05-03T07:00:00.000Z');
    await h.reconcile('2027-05-03');
    await h.report('2027-05-03');

    expect(reports(h)).toEqual([
      ['mara@label.example', '2027-04-29', '100.00 EUR'],
      ['mara@label.example', '2027-05-02', '150.00 EUR'],
    ]);
  });

  it("raises no alert after a budget's last active day, also when that day was reconciled after its report", async () => {
    const h = await lateInvoiceOf29April();
    await reconciledAfterItsReport(h, '2027-04-30');
    // 30 April at noon, after bud-1's last reconciliation: 700.00 EUR more, 85 % of the plan.
    h.setNow('2027-04-30T12:00:00.000Z');
    await h.expense(
      anExpense({ expenseId: 'exp-3', date: '2027-03-25', amount: { minor: 70_000, currency: 'EUR' } }),
    );

    h.setNow('2027-05-01T07:00:00.000Z');
    await h.reconcile('2027-05-01');
    await h.report('2027-05-01');

    // 1 May is no active day of bud-1: its report states 30 April's figures, and nothing crosses a threshold.
    const crossed = h.events(BudgetThresholdCrossed.detailType).map((e) => {
      const { threshold, date } = (e.detail as { data: { threshold: number; date: string } }).data;
      return [threshold, date];
    });
    expect(crossed).toEqual([]);
    expect(h.received().map((m) => m.kind)).toEqual(['budget-report', 'budget-report']);
    expect(reports(h).at(-1)).toEqual(['mara@label.example', '2027-05-01', '150.00 EUR']);
  });

  it("says in its summary that it counts only the budgets reconciled before it, not the owner's others", async () => {
    const h = budgetsHarness({ now: '2027-03-02T08:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    await h.budget(aBudget({ budgetId: 'bud-2' }), '2027-03-01T00:00:00.000Z');
    await h.expense(anExpense({ date: '2027-03-02', amount: { minor: 10_000, currency: 'EUR' } }));
    // 3 March: bud-2's reconciliation throttled, retried after the 07:30 report.
    h.setNow('2027-03-03T07:00:00.000Z');
    await h.deliver(ReconciliationDue, { date: '2027-03-03' }, { occurredAt: '2027-03-03T07:00:00.000Z' });
    await h.deliver(BudgetReconciliationDue, { labelId: 'lbl-1', budgetId: 'bud-1', date: '2027-03-03' });
    await h.report('2027-03-03');

    const summaries = h
      .received()
      .filter((m) => m.kind === 'budget-report')
      .map((m) => (m.data as { text: { summary: string } }).text.summary);
    // Not "1 budget, 0 at risk or over" to an owner of 2: the other is reconciled later.
    expect(summaries).toEqual([
      '1 budget reconciled before this report, 0 at risk or over; a budget of yours reconciled after it is in a later report, once it changes or is at risk',
    ]);
  });
});
