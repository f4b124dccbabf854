import { describe, expect, it } from 'vitest';
import { counter, isCounted } from '#shared/budgets/ledger.ts';
import { totalLimit } from '#shared/db/budgets.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/** Half the largest total kept, and a minor unit more: two of them pass it. */
const half = Math.floor(totalLimit / 2) + 1;

describe('a change that would take a running total past the largest kept (docs/design.md#money)', () => {
  it('is refused for good: kept apart and listed, nothing of it counted, and the event handled, its redelivery too', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anExpense({ expenseId: 'exp-1', amount: { minor: half, currency: 'EUR' } }));

    const second = anExpense({ expenseId: 'exp-2', amount: { minor: half, currency: 'EUR' } });
    const delivered = await h.expense(second, { eventId: 'evt-big' });
    // Delivered again (at least once): refused again, kept once.
    await h.expense(second, { eventId: 'evt-big', occurredAt: delivered.metadata.occurredAt });

    const ledger = await h.ledger('bud-1');
    expect(ledger.totals).toEqual({ [counter.actual('radio')]: half });
    expect(ledger.states.map((s) => s.expenseId)).toEqual(['exp-1']);
    expect(ledger.versions.map((v) => v.expenseId)).toEqual(['exp-1']);
    expect(ledger.refused).toEqual([
      {
        expenseId: 'exp-2',
        at: `${delivered.metadata.occurredAt}#evt-big`,
        change: 'recorded',
        total: 'actual radio',
        reason: `actual radio would pass ${totalLimit}, the largest total Backline keeps`,
        receivedAt: expect.any(String),
      },
    ]);
  });

  it('counts, when the budget is set after its expenses, those that fit in the order received and refuses for good the one that would pass it: held no more, the Budget Set handled', async () => {
    const h = budgetsHarness();
    await h.expense(anExpense({ expenseId: 'exp-1', amount: { minor: half, currency: 'EUR' } }));
    h.setNow('2027-01-01T08:01:00.000Z');
    const second = await h.expense(
      anExpense({ expenseId: 'exp-2', amount: { minor: half, currency: 'EUR' } }),
      { eventId: 'evt-big' },
    );
    h.setNow('2027-01-01T08:02:00.000Z');
    // Received after the one refused, and within the limit beside the first: counted.
    await h.expense(anExpense({ expenseId: 'exp-3', amount: { minor: 100, currency: 'EUR' } }));
    expect(await h.store.heldExpenses(undefined, '2027-01-02')).toHaveLength(3);

    await h.budget(aBudget());

    const ledger = await h.ledger('bud-1');
    expect(ledger.totals).toEqual({ [counter.actual('radio')]: half + 100 });
    expect(ledger.states.filter(isCounted).map((s) => s.expenseId)).toEqual(['exp-1', 'exp-3']);
    expect(ledger.versions.map((v) => v.expenseId)).toEqual(['exp-1', 'exp-3']);
    expect(ledger.refused).toEqual([
      {
        expenseId: 'exp-2',
        at: `${second.metadata.occurredAt}#evt-big`,
        change: 'recorded',
        total: 'actual radio',
        reason: `actual radio would pass ${totalLimit}, the largest total Backline keeps`,
        receivedAt: '2027-01-01T08:01:00.000Z',
      },
    ]);
    // Refused, not held: the sweep of held expenses reports none of them.
    expect(await h.store.heldExpenses(undefined, '2027-01-02')).toEqual([]);
    // Handled as a redelivery finds it: nothing more counted, the refusal kept once.
    await h.budget(aBudget());
    await h.expense(anExpense({ expenseId: 'exp-2', amount: { minor: half, currency: 'EUR' } }), {
      eventId: 'evt-big',
      occurredAt: second.metadata.occurredAt,
    });
    expect((await h.ledger('bud-1')).totals).toEqual(ledger.totals);
    expect((await h.ledger('bud-1')).refused).toHaveLength(1);
  });

  it("refuses for good an expense a rate's recount would take past it, and the reconciliation runs to its end", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anExpense({ expenseId: 'exp-1', amount: { minor: half, currency: 'EUR' } }));
    // No GBP rate yet: counted apart, in pence.
    await h.expense(anExpense({ expenseId: 'exp-2', amount: { minor: half, currency: 'GBP' } }));
    await h.store.putRates('2027-03-02', { 'GBP/EUR': '1' }, '2027-03-05T09:00:00.000Z');
    // The period's last day: the forecast at its end is what is spent (a forecast past it is not this test's).
    h.setNow('2027-03-30T07:00:00.000Z');

    await h.reconcile('2027-03-30');

    const ledger = await h.ledger('bud-1');
    expect(ledger.totals).toEqual({ [counter.actual('radio')]: half });
    expect(ledger.states.filter(isCounted).map((s) => s.expenseId)).toEqual(['exp-1']);
    expect(ledger.refused).toEqual([
      expect.objectContaining({ expenseId: 'exp-2', change: 'recorded', total: 'actual radio' }),
    ]);
    expect(h.events('Budget Reconciled')).toHaveLength(1);
  });

  it('reconciles a budget spending near it mid-period: a forecast past the largest total is stated as that total, not a failed run', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    // Nearly the largest total, spent in the last week: at that rate the period's end is far past it.
    await h.expense(anExpense({ date: '2027-03-10', amount: { minor: totalLimit - 1, currency: 'EUR' } }));
    h.setNow('2027-03-12T07:00:00.000Z');

    await h.reconcile('2027-03-12');

    const [reconciled] = h.events('Budget Reconciled');
    expect(reconciled).toBeDefined();
    for (const event of h.events('Budget Forecast Over'))
      expect((event.detail.data as { forecastAtEnd: { minor: number } }).forecastAtEnd.minor).toBe(
        totalLimit,
      );
    const [day] = await h.store.dayResults('2027-03-12', 'lbl-1', 'mara@label.example');
    expect(day?.forecastAtEnd).toBe(totalLimit);
  });

  // Not yet right (a known failure, docs/design.md#money): each line's total is held to the limit, their sum is not.
  it.fails('reconciles a budget whose lines each hold within it but together pass it', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anExpense({ expenseId: 'exp-1', amount: { minor: half, currency: 'EUR' } }));
    await h.expense(
      anExpense({ expenseId: 'exp-2', lineId: 'ads', amount: { minor: half, currency: 'EUR' } }),
    );
    h.setNow('2027-03-30T07:00:00.000Z');

    await h.reconcile('2027-03-30');

    expect(h.events('Budget Reconciled')).toHaveLength(1);
  });

  it('refuses a void that would reopen an order past it, and the invoice keeps settling the order', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    const order = (expenseId: string) =>
      anExpense({ expenseId, kind: 'commitment', amount: { minor: half, currency: 'EUR' } });
    await h.expense(order('po-2'));
    await h.expense(
      anExpense({ expenseId: 'inv-2', settles: 'po-2', amount: { minor: half, currency: 'EUR' } }),
    );
    // Committed beside the settled one: reopened, po-2 would take the committed total past the limit.
    await h.expense(order('po-1'));

    await h.voidExpense({ expenseId: 'inv-2', budgetId: 'bud-1', reason: 'booked twice' });

    const ledger = await h.ledger('bud-1');
    expect(ledger.totals).toEqual({
      [counter.committed('radio')]: half,
      [counter.actual('radio')]: half,
    });
    expect(ledger.states.find((s) => s.expenseId === 'po-2')?.settledBy).toEqual(['inv-2']);
    expect(ledger.refused).toEqual([
      expect.objectContaining({ expenseId: 'inv-2', change: 'voided', total: 'committed radio' }),
    ]);
  });
});
