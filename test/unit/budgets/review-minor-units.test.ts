import { describe, expect, it } from 'vitest';
import { counter } from '#shared/budgets/ledger.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

describe('amounts in integer minor units of an ISO 4217 currency (docs/design.md#money)', () => {
  it('counts an invoice of 1,000.00 HUF (100000 minor units: ISO 4217 gives HUF two decimals) as 2.50 EUR at 400 HUF per EUR', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.store.putRates('2027-03-02', { 'EUR/HUF': '400' }, '2027-03-02T00:00:00.000Z');

    // 1,000.00 HUF in minor units as ISO 4217 defines them for HUF (exponent 2), as the event schema asks.
    await h.expense(anExpense({ amount: { minor: 100_000, currency: 'HUF' } }));

    // 1,000 HUF / 400 = 2.50 EUR. ICU formats HUF with no decimals, and the ledger takes that as its
    // exponent: 100000 is read as 100,000 HUF and counted as 250.00 EUR, a hundred times too much.
    expect((await h.ledger('bud-1')).totals).toEqual({ [counter.actual('radio')]: 250 });
  });
});
