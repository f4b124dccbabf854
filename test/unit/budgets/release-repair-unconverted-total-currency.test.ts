import { describe, expect, it } from 'vitest';
import { counter } from '#shared/budgets/ledger.ts';
import { aBudget, anExpense, budgetsHarness, throttleFirstRelease } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: a repair is "in the ReconciliationDrift metric in that currency" and "the metric
// counts every repair, by currency" (shared/lambda/metrics.ts: "in minor units of its currency"). An
// amount no rate converts is counted apart "in its own currency, never as if it were the budget's"
// (docs/design.md#money): the running total `unconverted USD commitment` holds US cents, not euro cents.
const artist = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };

describe('a release of an unconverted order lost between budgets, repaired by the reconciliation (512c3d7)', () => {
  it('measures the 500.00 USD commitment and the 500.00 USD share it repaired as USD, not the commitment as EUR', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    // The video's order, 500.00 USD in a EUR budget with no rate yet: counted apart, with the artist's share.
    await h.expense(
      anExpense({
        expenseId: 'po-video',
        kind: 'commitment',
        date: '2027-03-04',
        amount: { minor: 50_000, currency: 'USD' },
        recoupable: artist,
      }),
    );
    // The director's invoice settling it (300.00 EUR), booked to bud-3, set late; the release into bud-1 is lost.
    await h.expense(
      anExpense({
        expenseId: 'inv-director',
        budgetId: 'bud-3',
        settles: 'po-video',
        amount: { minor: 30_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    throttleFirstRelease(h);
    const occurredAt = '2027-03-05T09:00:00.000Z';
    await expect(h.budget(aBudget({ budgetId: 'bud-3' }), occurredAt)).rejects.toThrow();
    await h.budget(aBudget({ budgetId: 'bud-3' }), occurredAt);

    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');

    // The repair took 500.00 USD of commitment and 500.00 USD of the artist's share off bud-1...
    expect(
      h
        .events('Budget Drift Repaired')
        .map((e) => (e.detail as { data: { budgetId: string; differences: unknown[] } }).data)
        .filter((d) => d.budgetId === 'bud-1')
        .flatMap((d) => d.differences),
    ).toEqual(
      expect.arrayContaining([
        { total: 'unconverted USD commitment', was: 50_000, ledger: 0 },
        { total: 'unconverted USD recoupable art-1', was: 50_000, ledger: 0 },
      ]),
    );
    // ...all of it US dollars: no euro moved.
    expect(h.measure.totals('ReconciliationDrift')).toEqual({ USD: 100_000 });
  });

  // The same in the reconciliation's repair of its own running totals (repairTotals, driftByCurrency).
  it('measures a repaired unconverted JPY total as JPY, not as euro cents', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    // A 5,000 JPY invoice with no rate: counted apart, 'unconverted JPY actual'.
    await h.expense(anExpense({ date: '2027-03-04', amount: { minor: 5_000, currency: 'JPY' } }));
    // The running total drifted by 500 JPY.
    const totals = h.store.totals.get(JSON.stringify([h.labelId, 'bud-1']));
    if (totals) totals.counters[counter.unconverted('JPY', 'actual')] += 500;

    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');

    expect(h.events('Budget Drift Repaired').map((e) => (e.detail as { data: unknown }).data)).toEqual([
      expect.objectContaining({
        differences: [{ total: 'unconverted JPY actual', was: 5_500, ledger: 5_000 }],
      }),
    ]);
    // 500 yen repaired, not 5.00 EUR.
    expect(h.measure.totals('ReconciliationDrift')).toEqual({ JPY: 500 });
  });
});
