import { describe, expect, it } from 'vitest';
import {
  BudgetReportDue,
  BudgetSet,
  type EventData,
  type ExpenseHeldTooLong,
  type ExpenseRecorded,
} from '#shared/events/index.ts';
import { budgetsHarness } from '#test/support/budgets-harness.ts';

const aBudget = (budgetId: string, email: string, period = { start: '2027-03-01', end: '2027-03-30' }) => ({
  ...BudgetSet.sample,
  budgetId,
  period,
  owner: { name: email.split('@')[0], email },
  lines: [
    { lineId: 'radio', category: 'radio-plugging' as const, planned: { minor: 900_000, currency: 'EUR' } },
  ],
});
const anExpense = (overrides: Partial<typeof ExpenseRecorded.sample> = {}) => ({
  expenseId: 'exp-held',
  budgetId: 'bud-typo',
  lineId: 'radio',
  vendor: 'Airplay Partners',
  date: '2027-03-02',
  amount: { minor: 45_000, currency: 'EUR' },
  kind: 'actual' as const,
  ...overrides,
});
const day = (n: number) => `2027-03-${String(n).padStart(2, '0')}`;
type Report = { text: { held: string[] } };
const heldData = (h: ReturnType<typeof budgetsHarness>) =>
  h.events('Expense Held Too Long').map((e) => e.detail.data as EventData<typeof ExpenseHeldTooLong>);

describe('expenses held for a budget that never arrives', () => {
  it('are stated on the bus once, 7 days after they arrived, when the label has no active budget to report to', async () => {
    const h = budgetsHarness({ now: '2027-03-02T08:00:00.000Z' });
    await h.budget(aBudget('bud-2026', 'old@label.example', { start: '2026-01-01', end: '2026-12-31' }));
    await h.expense(anExpense());

    for (let d = 3; d <= 14; d++) {
      h.setNow(`${day(d)}T07:30:00.000Z`);
      await h.reconcile(day(d));
      await h.report(day(d));
    }

    expect(heldData(h)).toEqual([
      {
        labelId: 'lbl-1',
        budgetId: 'bud-typo',
        expenseId: 'exp-held',
        date: day(10),
        firstSeenAt: '2027-03-02T08:00:00.000Z',
        expense: {
          vendor: 'Airplay Partners',
          date: '2027-03-02',
          amount: { minor: 45_000, currency: 'EUR' },
        },
        owners: [],
      },
    ]);
    expect(h.received()).toEqual([]);
  });

  it("are listed once in the report of every owner of the label's active budgets, even on a day with nothing else to report", async () => {
    const h = budgetsHarness({ now: '2027-03-01T08:00:00.000Z' });
    await h.budget(aBudget('bud-1', 'mara@label.example'));
    await h.budget(aBudget('bud-2', 'lee@label.example'));
    await h.budget(aBudget('bud-2026', 'old@label.example', { start: '2026-01-01', end: '2026-12-31' }));
    await h.expense(anExpense());

    for (let d = 2; d <= 10; d++) {
      h.setNow(`${day(d)}T07:30:00.000Z`);
      await h.reconcile(day(d));
      await h.report(day(d));
    }
    const reports = h.received().filter((m) => m.kind === 'budget-report');
    const listing = reports.filter((m) => (m.data as Report).text.held.length > 0);

    // The first day reports each new budget; then nothing changed until the expense was 7 days held.
    expect(reports.map((m) => [m.email, m.subject.at(-1)])).toEqual([
      ['lee@label.example', day(2)],
      ['mara@label.example', day(2)],
      ['lee@label.example', day(9)],
      ['mara@label.example', day(9)],
    ]);
    expect(listing).toHaveLength(2);
    expect((listing[0].data as Report).text.held).toEqual([
      'exp-held (Airplay Partners, 2027-03-02) 450.00 EUR for budget bud-typo, which never arrived; first seen 2027-03-01',
    ]);
    expect(heldData(h).map((e) => e.owners)).toEqual([['lee@label.example', 'mara@label.example']]);
  });

  it('are reported once however often the report is delivered, and caught up after days without a report', async () => {
    const h = budgetsHarness({ now: '2027-03-01T08:00:00.000Z' });
    await h.budget(aBudget('bud-1', 'mara@label.example'));
    await h.expense(anExpense());
    h.setNow('2027-03-02T08:00:00.000Z');
    await h.expense(anExpense({ expenseId: 'exp-later' }));

    // No report from day 2 to day 11: both expenses are found on day 12.
    h.setNow(`${day(12)}T07:30:00.000Z`);
    await h.reconcile(day(12));
    await h.report(day(12));
    await h.deliver(BudgetReportDue, { date: day(12) }, { occurredAt: `${day(12)}T07:30:00.000Z` });
    h.setNow(`${day(13)}T07:30:00.000Z`);
    await h.reconcile(day(13));
    await h.report(day(13));
    // The report of an earlier day, delivered late (a redrive): its days were swept.
    await h.deliver(BudgetReportDue, { date: day(11) }, { occurredAt: `${day(11)}T07:30:00.000Z` });

    expect(heldData(h).map((e) => [e.expenseId, e.date])).toEqual([
      ['exp-held', day(12)],
      ['exp-later', day(12)],
    ]);
    const reports = h.received().filter((m) => m.kind === 'budget-report');
    expect(reports.map((m) => [m.subject.at(-1), (m.data as Report).text.held.length])).toEqual([
      [day(12), 2],
    ]);
  });

  it('are not reported once their budget arrived', async () => {
    const h = budgetsHarness({ now: '2027-03-01T08:00:00.000Z' });
    await h.expense(anExpense({ budgetId: 'bud-late' }));
    h.setNow(`${day(5)}T08:00:00.000Z`);
    await h.budget(aBudget('bud-late', 'mara@label.example'));

    h.setNow(`${day(9)}T07:30:00.000Z`);
    await h.reconcile(day(9));
    await h.report(day(9));

    expect(h.events('Expense Held Too Long')).toEqual([]);
  });
});

describe('an expense booked to a budget that never arrives and then voided', () => {
  it('is not reported as held 7 days later: the label cancelled it', async () => {
    const h = budgetsHarness({ now: '2027-03-02T08:00:00.000Z' });
    await h.budget(aBudget('bud-1', 'mara@label.example'));
    // The label books an invoice to a budget id it mistyped, sees it, voids it and books it again
    // under a new expense id to the right budget, the same morning.
    await h.expense(anExpense({ expenseId: 'exp-typo' }));
    await h.voidExpense({ expenseId: 'exp-typo', budgetId: 'bud-typo', reason: 'Wrong budget' });
    await h.expense(anExpense({ expenseId: 'exp-right', budgetId: 'bud-1' }));

    for (let d = 3; d <= 12; d++) {
      h.setNow(`${day(d)}T07:30:00.000Z`);
      await h.reconcile(day(d));
      await h.report(day(d));
    }

    expect(h.events('Expense Held Too Long')).toEqual([]);
    expect(
      h
        .received()
        .filter((m) => m.kind === 'budget-report')
        .flatMap((m) => (m.data as Report).text.held),
    ).toEqual([]);
  });
});
