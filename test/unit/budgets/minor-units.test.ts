import { describe, expect, it } from 'vitest';
import { counter } from '#shared/budgets/ledger.ts';
import { exponentOf, formatMoney, minorUnitNotIso4217 } from '#shared/money/money.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/**
 * ISO 4217's minor units where they are not 2, for this test only: the code never keeps a table of
 * exponents (ICU decides, docs/design.md#money); this one holds the documented list to what ICU gives.
 */
const iso4217NotTwo: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

describe('amounts in integer minor units of the currency as ICU gives them (docs/design.md#money)', () => {
  it('counts an invoice of 1,000 HUF (1000 minor units: ICU gives HUF no decimals) as 2.50 EUR at 400 HUF per EUR', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.store.putRates('2027-03-02', { 'EUR/HUF': '400' }, '2027-03-02T00:00:00.000Z');

    await h.expense(anExpense({ amount: { minor: 1000, currency: 'HUF' } }));

    expect((await h.ledger('bud-1')).totals).toEqual({ [counter.actual('radio')]: 250 });
    expect(formatMoney({ minor: 1000, currency: 'HUF' })).toBe('1,000 HUF');
  });

  it('documents as differing from ISO 4217 exactly the currencies whose minor unit ICU gives otherwise', () => {
    const differing = Intl.supportedValuesOf('currency').filter(
      (currency) => exponentOf(currency) !== (iso4217NotTwo[currency] ?? 2),
    );

    expect([...minorUnitNotIso4217].sort()).toEqual(differing.sort());
  });
});
