import { describe, expect, it } from 'vitest';
import { BudgetReconciliationDue, ReconciliationDue } from '#shared/events/index.ts';
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

/** bud-1 reported on 3 March (100.00 EUR spent), then 50.00 EUR more recorded that afternoon. */
const expenseAfterReportOf3March = async () => {
  const h = budgetsHarness({ now: '2027-03-02T08:00:00.000Z' });
  await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
  await h.expense(anExpense({ date: '2027-03-02', amount: { minor: 10_000, currency: 'EUR' } }));
  h.setNow('2027-03-03T07:00:00.000Z');
  await h.reconcile('2027-03-03');
  await h.report('2027-03-03');
  h.setNow('2027-03-03T15:00:00.000Z');
  await h.expense(
    anExpense({ expenseId: 'exp-2', date: '2027-03-03', amount: { minor: 5_000, currency: 'EUR' } }),
  );
  return h;
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
    h.setNow('2027-03-04T07:00:00.000Z');
    await h.deliver(ReconciliationDue, { date: '2027-03-04' }, { occurredAt: '2027-03-04T07:00:00.000Z' });
    await h.report('2027-03-04');
    h.setNow('2027-03-04T09:10:00.000Z');
    await h.deliver(BudgetReconciliationDue, { labelId: 'lbl-1', budgetId: 'bud-1', date: '2027-03-04' });
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

  it("reports a budget's last active day reconciled after that day's report in the morning report after it", async () => {
    // March's budget is reconciled until 30 April, 31 days after its period ends: no 1 May result carries 30 April's.
    const h = budgetsHarness({ now: '2027-03-02T08:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    await h.expense(anExpense({ date: '2027-03-02', amount: { minor: 10_000, currency: 'EUR' } }));
    h.setNow('2027-04-29T07:00:00.000Z');
    await h.reconcile('2027-04-29');
    await h.report('2027-04-29');
    h.setNow('2027-04-29T15:00:00.000Z');
    // A late invoice of March, recorded on the 29th.
    await h.expense(
      anExpense({ expenseId: 'exp-2', date: '2027-03-20', amount: { minor: 5_000, currency: 'EUR' } }),
    );

    // 30 April: bud-1's reconciliation throttled, retried at 09:10 after the 07:30 report.
    h.setNow('2027-04-30T07:00:00.000Z');
    await h.deliver(ReconciliationDue, { date: '2027-04-30' }, { occurredAt: '2027-04-30T07:00:00.000Z' });
    await h.report('2027-04-30');
    h.setNow('2027-04-30T09:10:00.000Z');
    await h.deliver(BudgetReconciliationDue, { labelId: 'lbl-1', budgetId: 'bud-1', date: '2027-04-30' });
    h.setNow('2027-05-01T07:00:00.000Z');
    await h.reconcile('2027-05-01');
    await h.report('2027-05-01');

    // The 50.00 EUR of 29 April reached the owner: in 1 May's report, the first after 30 April's result.
    expect(reports(h)).toEqual([
      ['mara@label.example', '2027-04-29', '100.00 EUR'],
      ['mara@label.example', '2027-05-01', '150.00 EUR'],
    ]);
    // The day after carries it once: 2 May reconciles nothing of bud-1.
    h.setNow('2027-05-02T07:00:00.000Z');
    await h.reconcile('2027-05-02');
    expect(await h.store.dayResults('2027-05-02', 'lbl-1', 'mara@label.example')).toEqual([]);
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
