import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import { duplicateExpensesListed, duplicatesListed, totalLimit } from '#shared/budgets/ledger.ts';
import { BudgetSet, type ExpenseRecorded } from '#shared/events/index.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { budgetsHarness } from '#test/support/budgets-harness.ts';
import { InMemoryLabels } from '#test/support/intake.ts';

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

describe("a budget's possible duplicates in its day's result and its view", () => {
  it('lists the invoices in one order, by their vendor and number compared by code units: Fader before Éclair in both', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget('bud-1'));
    // Each invoice carried twice. A locale's collation puts é beside e, before f; code units put it after z.
    for (const [vendor, n] of [
      ['Éclair Studio', 1],
      ['Fader Mastering', 3],
    ] as const)
      for (const expenseId of [`exp-${n}`, `exp-${n + 1}`])
        await h.expense(anInvoice({ expenseId, vendor, invoiceNumber: 'INV-1' }));

    await h.reconcile('2027-03-03');

    const route = budgetRoutes({
      budgets: h.store,
      labels: new InMemoryLabels(),
      now: () => new Date('2027-03-03T12:00:00Z'),
      timeZone: 'UTC',
    }).find(
      (r) => r.method === 'GET' && r.path === '/labels/{labelId}/budgets/{budgetId}/possible-duplicates',
    )!;
    const answer = (await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
      headers: {},
      isBase64Encoded: false,
      pathParameters: { labelId: 'lbl-1', budgetId: 'bud-1' },
    } as never)) as { body: string };
    const viewed = (JSON.parse(answer.body).possibleDuplicates as { vendor: string }[]).map(
      (row) => row.vendor,
    );
    const result = (await h.store.getBudget('lbl-1', 'bud-1'))?.lastResult?.possibleDuplicates.first;
    expect([...new Set(viewed)]).toEqual(['Fader Mastering', 'Éclair Studio']);
    expect(result?.map((d) => d.vendor)).toEqual([...new Set(viewed)]);
  });
});

describe('possible duplicates across budgets', () => {
  it('clears the flag on the other budget when a recount refuses for good the expense carrying the invoice there, as a void would', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget('bud-1'));
    await h.budget(aBudget('bud-2'));
    const half = Math.floor(totalLimit / 2) + 1;
    await h.expense(
      anInvoice({ expenseId: 'exp-1', invoiceNumber: 'AP-100', amount: { minor: half, currency: 'EUR' } }),
    );
    // No GBP rate yet: counted apart, and carrying AP-114 beside bud-2's exp-9.
    await h.expense(anInvoice({ expenseId: 'exp-2', amount: { minor: half, currency: 'GBP' } }));
    await h.expense(anInvoice({ expenseId: 'exp-9', budgetId: 'bud-2' }));
    const flagged = (await h.ledger('bud-2')).flagged;
    // The rate comes: counted in EUR, exp-2 would take bud-1's radio actual past the largest total.
    await h.store.putRates('2027-03-02', { 'GBP/EUR': '1' }, '2027-03-03T06:00:00.000Z');

    await h.reconcile('2027-03-03');

    expect(flagged.map((f) => f.expenses)).toEqual([
      [
        { budgetId: 'bud-1', expenseId: 'exp-2' },
        { budgetId: 'bud-2', expenseId: 'exp-9' },
      ],
    ]);
    expect((await h.ledger('bud-1')).refused).toEqual([
      expect.objectContaining({ expenseId: 'exp-2', total: 'actual radio' }),
    ]);
    expect((await h.ledger('bud-2')).flagged).toEqual([]);
    expect((await h.ledger('bud-1')).flagged).toEqual([]);
    // Reconciled after bud-1 (by id), bud-2's day lists no possible duplicate.
    expect((await h.store.getBudget('lbl-1', 'bud-2'))?.lastResult?.possibleDuplicates.count).toBe(0);
  });

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
    expect(first?.possibleDuplicates.first).toEqual([
      {
        vendor: 'Airplay Partners',
        invoiceNumber: 'AP-114',
        expenseIds: ['exp-1'],
        elsewhere: [{ budgetId: 'bud-2', expenseId: 'exp-9' }],
        more: 0,
      },
    ]);
    expect(second?.possibleDuplicates.first).toMatchObject([
      { expenseIds: ['exp-9'], elsewhere: [{ budgetId: 'bud-1', expenseId: 'exp-1' }] },
    ]);
    expect(third?.possibleDuplicates.first).toEqual([]);
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
    expect((await h.store.getBudget('lbl-1', 'bud-1'))?.lastResult?.possibleDuplicates.first).toEqual([]);
  });

  const duplicatesOf = async (h: ReturnType<typeof budgetsHarness>, budgetId: string) =>
    (await h.store.getBudget('lbl-1', budgetId))?.lastResult?.possibleDuplicates.first;

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

  it('flags no invoice of an expense amended onto another budget: it is one expense, counted under the budget it moved to', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget('bud-1'));
    await h.budget(aBudget('bud-2'));
    await h.expense(anInvoice({}), { occurredAt: '2027-03-02T10:00:00.000Z' });

    await h.amend(anInvoice({ budgetId: 'bud-2' }), { occurredAt: '2027-03-02T11:00:00.000Z' });
    await h.reconcile('2027-03-03');

    expect(await duplicatesOf(h, 'bud-1')).toEqual([]);
    expect(await duplicatesOf(h, 'bud-2')).toEqual([]);
    expect([(await h.ledger('bud-1')).flagged, (await h.ledger('bud-2')).flagged]).toEqual([[], []]);
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

  it('ends with the flags the latest versions call for, for any order and duplication of records, amendments and voids (property)', async () => {
    const budgetOf = { e1: 'bud-1', e2: 'bud-2', e3: 'bud-2', e4: 'bud-3' } as const;
    type Id = keyof typeof budgetOf;
    const aChange = fc.record({
      expenseId: fc.constantFrom<Id>('e1', 'e2', 'e3', 'e4'),
      change: fc.constantFrom('recorded' as const, 'amended' as const, 'voided' as const),
      invoice: fc.constantFrom('INV-1', 'inv-1 ', 'INV-2', undefined),
      at: fc.integer({ min: 0, max: 30 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(aChange, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 24 }),
        async (changes, order) => {
          const h = budgetsHarness();
          for (const id of ['bud-1', 'bud-2', 'bud-3']) await h.budget(aBudget(id));
          const events = changes.map((c, i) => ({ ...c, eventId: `evt-${String(i).padStart(2, '0')}` }));
          const deliveries = [...events, ...events.filter((_, i) => (order[i] ?? 1) % 3 === 0)]
            .map((e, i) => ({ e, rank: order[i] ?? i, i }))
            .sort((x, y) => x.rank - y.rank || x.i - y.i)
            .map(({ e }) => e);
          for (const c of deliveries) {
            const meta = {
              eventId: c.eventId,
              occurredAt: new Date(Date.UTC(2027, 2, 2, 0, c.at)).toISOString(),
            };
            const budgetId = budgetOf[c.expenseId];
            if (c.change === 'voided') await h.voidExpense({ expenseId: c.expenseId, budgetId }, meta);
            else {
              const { invoiceNumber: _n, ...plain } = anInvoice({ expenseId: c.expenseId, budgetId });
              const data = c.invoice ? { ...plain, invoiceNumber: c.invoice } : plain;
              if (c.change === 'amended') await h.amend(data, meta);
              else await h.expense(data, meta);
            }
          }
          // The model: each expense's latest data by the label's time, unless a later void; the invoice it carries.
          const key = (c: { at: number; eventId: string }) => `${String(c.at).padStart(2, '0')}#${c.eventId}`;
          const carried = new Map<string, { budgetId: string; expenseId: string }[]>();
          for (const id of Object.keys(budgetOf) as Id[]) {
            const own = events.filter((e) => e.expenseId === id);
            const data = own
              .filter((e) => e.change !== 'voided')
              .sort((a, b) => key(b).localeCompare(key(a)))[0];
            const voided = own.filter((e) => e.change === 'voided').some((v) => data && key(v) > key(data));
            if (!data?.invoice || voided) continue;
            const invoice = data.invoice.trim().toLowerCase();
            carried.set(invoice, [
              ...(carried.get(invoice) ?? []),
              { budgetId: budgetOf[id], expenseId: id },
            ]);
          }
          for (const budgetId of ['bud-1', 'bud-2', 'bud-3']) {
            const expected = [...carried]
              .filter(([, expenses]) => new Set(expenses.map((e) => e.budgetId)).size > 1)
              .filter(([, expenses]) => expenses.some((e) => e.budgetId === budgetId))
              .map(([invoice, expenses]) => [invoice, expenses.map((e) => e.expenseId).sort()]);
            const flagged = (await h.ledger(budgetId)).flagged.map((f) => [
              f.invoiceNumber.trim().toLowerCase(),
              f.expenses.map((e) => e.expenseId).sort(),
            ]);
            expect(flagged.sort(), budgetId).toEqual(expected.sort());
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe("a budget's many possible duplicates (docs/design.md#budgets)", () => {
  const pad = (i: number) => String(i).padStart(2, '0');
  /** Invoices AP-00..AP-(n-1), each carried by two expenses of bud-1, and AP-99 by twelve. */
  const sentTwice = async (h: ReturnType<typeof budgetsHarness>, n: number) => {
    await h.budget(aBudget('bud-1'));
    for (let i = 0; i < n; i++)
      for (const copy of ['a', 'b'])
        await h.expense(
          anInvoice({ expenseId: `exp-${pad(i)}${copy}`, invoiceNumber: `AP-${pad(i)}`, amount: small }),
        );
  };
  const small = { minor: 100, currency: 'EUR' };

  it('lists the first invoices and the first expenses of each in the day and the report, counting the rest', async () => {
    const h = budgetsHarness();
    await sentTwice(h, duplicatesListed + 5);
    for (let i = 0; i < duplicateExpensesListed + 2; i++)
      await h.expense(anInvoice({ expenseId: `exp-z${pad(i)}`, invoiceNumber: 'AP-00', amount: small }));
    await h.reconcile('2027-03-03');
    await h.report('2027-03-03');

    const result = (await h.store.getBudget('lbl-1', 'bud-1'))?.lastResult;
    const [report] = h.received().filter((m) => m.kind === 'budget-report');
    const lines = (report.data as { text: { duplicates: string[] } }).text.duplicates;
    expect(result?.possibleDuplicates).toMatchObject({ count: duplicatesListed + 5, more: 5 });
    expect(result?.possibleDuplicates.first.map((d) => d.invoiceNumber)).toEqual(
      Array.from({ length: duplicatesListed }, (_, i) => `AP-${pad(i)}`),
    );
    // AP-00 is carried by 14 expenses: the first 10 by id listed, 4 more counted.
    expect(result?.possibleDuplicates.first[0]).toMatchObject({
      expenseIds: ['exp-00a', 'exp-00b', ...Array.from({ length: 8 }, (_, i) => `exp-z${pad(i)}`)],
      more: 4,
    });
    expect(lines).toHaveLength(duplicatesListed + 1);
    expect(lines[0]).toBe(
      'bud-1: Airplay Partners invoice AP-00 under exp-00a, exp-00b, exp-z00, exp-z01, exp-z02, exp-z03, exp-z04, exp-z05, exp-z06, exp-z07 and 4 more',
    );
    expect(lines.at(-1)).toBe(
      "bud-1: 5 more invoices not listed here (the budget's view lists every one, a page at a time); 25 in all are possible duplicates",
    );
  });

  it('counts a day as changed when its duplicates differ beyond the listed ones though their number is the same', async () => {
    const h = budgetsHarness();
    await sentTwice(h, duplicatesListed + 1);
    await h.expense(anInvoice({ expenseId: 'exp-x', invoiceNumber: 'AP-99', amount: small }));
    await h.reconcile('2027-03-03');
    await h.reconcile('2027-03-04');
    const quiet = (await h.store.getBudget('lbl-1', 'bud-1'))?.lastResult;

    // AP-20, the one invoice not listed, is no longer sent twice; AP-99 now is: as many, the same totals.
    await h.amend(
      anInvoice({ expenseId: `exp-${pad(duplicatesListed)}b`, invoiceNumber: 'AP-99', amount: small }),
      { occurredAt: '2027-03-04T12:00:00.000Z' },
    );
    await h.reconcile('2027-03-05');
    const after = (await h.store.getBudget('lbl-1', 'bud-1'))?.lastResult;

    expect(quiet?.changed).toBe(false);
    expect(after?.possibleDuplicates.count).toBe(quiet?.possibleDuplicates.count);
    expect(after?.actual).toBe(quiet?.actual);
    expect(after?.possibleDuplicates.first).toEqual(quiet?.possibleDuplicates.first);
    expect(after?.changed).toBe(true);
  });
});
