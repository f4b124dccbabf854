import { describe, expect, it } from 'vitest';
import { BudgetSet, type ExpenseRecorded } from '#shared/events/index.ts';
import { budgetsHarness } from '#test/support/budgets-harness.ts';

const aBudget = (budgetId: string) => ({
  ...BudgetSet.sample,
  budgetId,
  period: { start: '2027-03-01', end: '2027-03-30' },
  owner: { name: 'Mara Quinn', email: 'mara@label.example' },
  lines: [
    { lineId: 'radio', category: 'radio-plugging' as const, planned: { minor: 900_000, currency: 'EUR' } },
  ],
});
const anInvoice = (overrides: Partial<typeof ExpenseRecorded.sample>) => ({
  expenseId: 'exp-1',
  budgetId: 'bud-1',
  lineId: 'radio',
  vendor: 'Airplay Partners',
  invoiceNumber: 'AP-114',
  date: '2027-03-02',
  amount: { minor: 10_000, currency: 'EUR' },
  kind: 'actual' as const,
  ...overrides,
});

describe('possible duplicates across budgets', () => {
  it("flags the same vendor invoice under expenses of two of the label's budgets on both, counted in each, and says so in the report", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget('bud-1'));
    await h.budget(aBudget('bud-2'));
    await h.budget(aBudget('bud-3'));

    await h.expense(anInvoice({}));
    await h.expense(
      anInvoice({
        expenseId: 'exp-9',
        budgetId: 'bud-2',
        vendor: ' airplay partners',
        invoiceNumber: 'ap-114 ',
      }),
    );
    await h.expense(anInvoice({ expenseId: 'exp-5', budgetId: 'bud-3', invoiceNumber: 'AP-115' }));
    await h.reconcile('2027-03-03');
    await h.report('2027-03-03');

    const first = (await h.store.getBudget('lbl-1', 'bud-1'))?.lastResult;
    const second = (await h.store.getBudget('lbl-1', 'bud-2'))?.lastResult;
    const third = (await h.store.getBudget('lbl-1', 'bud-3'))?.lastResult;
    expect(first?.possibleDuplicates).toEqual([
      {
        vendor: 'Airplay Partners',
        invoiceNumber: 'AP-114',
        expenseIds: ['exp-1'],
        elsewhere: [{ budgetId: 'bud-2', expenseId: 'exp-9' }],
      },
    ]);
    expect(second?.possibleDuplicates).toMatchObject([
      { expenseIds: ['exp-9'], elsewhere: [{ budgetId: 'bud-1', expenseId: 'exp-1' }] },
    ]);
    expect(third?.possibleDuplicates).toEqual([]);
    expect([first?.actual, second?.actual]).toEqual([10_000, 10_000]);
    const [report] = h.received().filter((m) => m.kind === 'budget-report');
    expect((report.data as { text: { duplicates: string[] } }).text.duplicates).toContain(
      'bud-1: Airplay Partners invoice AP-114 under exp-1, exp-9 of budget bud-2',
    );
  });

  it('flags an invoice again when its expense is redelivered after the flag was lost, and not once the expense here no longer carries it', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget('bud-1'));
    await h.budget(aBudget('bud-2'));
    const recorded = { occurredAt: '2027-03-02T10:00:00.000Z', eventId: 'r-9' };
    await h.expense(anInvoice({}));
    await h.expense(anInvoice({ expenseId: 'exp-9', budgetId: 'bud-2' }), recorded);
    h.store.flags.clear();

    await h.expense(anInvoice({ expenseId: 'exp-9', budgetId: 'bud-2' }), recorded);
    const flagged = (await h.ledger('bud-1')).flagged;
    await h.amend(anInvoice({ invoiceNumber: 'AP-200' }), { occurredAt: '2027-03-02T11:00:00.000Z' });
    await h.reconcile('2027-03-03');

    expect(flagged).toHaveLength(1);
    expect((await h.store.getBudget('lbl-1', 'bud-1'))?.lastResult?.possibleDuplicates).toEqual([]);
  });

  const duplicatesOf = async (h: ReturnType<typeof budgetsHarness>, budgetId: string) =>
    (await h.store.getBudget('lbl-1', budgetId))?.lastResult?.possibleDuplicates;

  it("clears this budget's flag when the expense of the other budget is voided, though nothing changed here", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget('bud-1'));
    await h.budget(aBudget('bud-2'));
    await h.expense(anInvoice({}));
    await h.expense(anInvoice({ expenseId: 'exp-9', budgetId: 'bud-2' }));
    await h.reconcile('2027-03-03');
    const before = await duplicatesOf(h, 'bud-1');

    await h.voidExpense({ expenseId: 'exp-9', budgetId: 'bud-2', reason: 'entered twice' });
    await h.reconcile('2027-03-04');

    expect(before).toHaveLength(1);
    expect(await duplicatesOf(h, 'bud-1')).toEqual([]);
    expect(await duplicatesOf(h, 'bud-2')).toEqual([]);
    expect((await h.ledger('bud-1')).flagged).toEqual([]);
  });

  it('clears the flag of both budgets when one of the expenses is amended to another invoice number, and flags the new one if shared', async () => {
    const h = budgetsHarness();
    for (const id of ['bud-1', 'bud-2', 'bud-3']) await h.budget(aBudget(id));
    await h.expense(anInvoice({}));
    await h.expense(anInvoice({ expenseId: 'exp-9', budgetId: 'bud-2' }));
    await h.expense(anInvoice({ expenseId: 'exp-5', budgetId: 'bud-3', invoiceNumber: 'AP-115' }));

    await h.amend(anInvoice({ expenseId: 'exp-9', budgetId: 'bud-2', invoiceNumber: 'AP-115' }));
    await h.reconcile('2027-03-03');

    expect(await duplicatesOf(h, 'bud-1')).toEqual([]);
    expect(await duplicatesOf(h, 'bud-2')).toMatchObject([
      {
        invoiceNumber: 'AP-115',
        expenseIds: ['exp-9'],
        elsewhere: [{ budgetId: 'bud-3', expenseId: 'exp-5' }],
      },
    ]);
    expect(await duplicatesOf(h, 'bud-3')).toMatchObject([
      { invoiceNumber: 'AP-115', elsewhere: [{ budgetId: 'bud-2', expenseId: 'exp-9' }] },
    ]);
  });

  it('ends with no flag whatever order the void and the expenses arrive in, and however often each is redelivered', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget('bud-1'));
    await h.budget(aBudget('bud-2'));
    const recorded = { occurredAt: '2027-03-02T10:00:00.000Z', eventId: 'rec-9' };
    const voided = { occurredAt: '2027-03-02T12:00:00.000Z', eventId: 'void-9' };
    const other = anInvoice({ expenseId: 'exp-9', budgetId: 'bud-2' });

    await h.voidExpense({ expenseId: 'exp-9', budgetId: 'bud-2' }, voided);
    await h.expense(anInvoice({}));
    await h.expense(other, recorded);
    await h.voidExpense({ expenseId: 'exp-9', budgetId: 'bud-2' }, voided);
    await h.expense(other, recorded);
    await h.reconcile('2027-03-03');

    expect(await duplicatesOf(h, 'bud-1')).toEqual([]);
    expect((await h.ledger('bud-1')).flagged).toEqual([]);
  });

  it('flags the invoice again when the voided expense is recorded anew under a later version', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget('bud-1'));
    await h.budget(aBudget('bud-2'));
    await h.expense(anInvoice({}));
    await h.expense(anInvoice({ expenseId: 'exp-9', budgetId: 'bud-2' }), {
      occurredAt: '2027-03-02T10:00:00.000Z',
    });
    await h.voidExpense(
      { expenseId: 'exp-9', budgetId: 'bud-2' },
      { occurredAt: '2027-03-02T11:00:00.000Z' },
    );
    await h.amend(anInvoice({ expenseId: 'exp-9', budgetId: 'bud-2' }), {
      occurredAt: '2027-03-02T12:00:00.000Z',
    });
    await h.reconcile('2027-03-03');

    expect(await duplicatesOf(h, 'bud-1')).toMatchObject([
      { expenseIds: ['exp-1'], elsewhere: [{ budgetId: 'bud-2', expenseId: 'exp-9' }] },
    ]);
  });
});
