import { describe, expect, it } from 'vitest';
import { counter } from '#shared/budgets/ledger.ts';
import { ExpenseRecorded } from '#shared/events/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// docs/design.md#money: a label's rate that names no `to` is named when its version is written, `to`
// being the currency of the terms the label sent it under (the terms in force, by the label's timestamp,
// not newer than the version). The version is written once, so its write holds the terms it named the
// rate from: terms in dollars the label set before sending the invoice, landing between that read and
// the write, refuse it, and it reads them again (until December 2026 its rate named euros for good, and
// it never converted into dollars).
describe("a label's invoice with its own rate, sent right after the label set the budget in another currency", () => {
  it("converts at the label's rate into the currency of the terms it was sent under", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }), '2027-03-01T09:00:00.000Z');
    const inDollars = aBudget({
      currency: 'USD',
      lines: aBudget().lines.map((line) => ({ ...line, planned: { ...line.planned, currency: 'USD' } })),
    });
    // The label sets bud-1 in dollars (10:00), then sends the London plugger's invoice (10:05): 100.00
    // GBP at its own 1.25 dollars a pound. The dollars' terms land, and are counted, right after the
    // invoice read bud-1's terms (in euros) and before its write.
    const writeLedger = h.store.writeLedger.bind(h.store);
    let raced = false;
    h.store.writeLedger = async (...args: Parameters<typeof writeLedger>) => {
      if (!raced && args[2].versions.some((v) => v.expenseId === 'inv-london')) {
        raced = true;
        await h.budget(inDollars, '2027-03-05T10:00:00.000Z');
      }
      return writeLedger(...args);
    };

    await h.deliver(
      ExpenseRecorded,
      anExpense({
        expenseId: 'inv-london',
        date: '2027-03-05',
        amount: { minor: 10_000, currency: 'GBP' },
        rate: { value: '1.25', date: '2027-03-05', source: 'label' },
      }),
      { occurredAt: '2027-03-05T10:05:00.000Z' },
    );
    await h.reconcile('2027-03-06');

    expect(raced).toBe(true);
    const after = await h.ledger('bud-1');
    expect(after.budget?.currency).toBe('USD');
    // 125.00 USD on radio, none of it waiting for a rate, also after the next day's reconciliation.
    expect(after.totals).toEqual({ [counter.actual('radio')]: 12_500 });
  });
});
