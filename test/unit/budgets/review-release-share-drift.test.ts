import { describe, expect, it } from 'vitest';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: an order released by another budget's invoice reaches the unconverted
// invoices naming it only at the daily reconciliation ("the net where the write does not see it"),
// and "Each budget's reconciliation ... treats any other difference of the running totals as drift:
// repaired and reported" (`Budget Drift Repaired` through the outbox in the same transaction).

const artist = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };

describe("review: the reconciliation's repair of an unconverted invoice's recoupable share, its order released by another budget", () => {
  it("states Budget Drift Repaired for the artist's recoupable share it repairs", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget());
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    // The video's order in bud-1 (500.00 EUR, recoupable), and the crew's invoice in bud-1 naming it
    // (220.00 USD, no rate yet): the order holds the share, the crew's invoice none.
    await h.expense(
      anExpense({
        expenseId: 'po-video',
        kind: 'commitment',
        amount: { minor: 50_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    await h.expense(
      anExpense({
        expenseId: 'inv-crew',
        settles: 'po-video',
        date: '2027-03-04',
        amount: { minor: 22_000, currency: 'USD' },
        recoupable: artist,
      }),
    );
    // The director's invoice (EUR), booked to bud-2, settles the order: bud-1 releases it, and the
    // crew's 220.00 USD is recoupable nowhere until the reconciliation repairs bud-1's totals.
    await h.expense(
      anExpense({
        expenseId: 'inv-director',
        budgetId: 'bud-2',
        settles: 'po-video',
        amount: { minor: 30_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    /** The artist's recoupable money in bud-1, by expense, as the recoupable route sums it. */
    const inBud1 = async () =>
      (await h.store.recoupable(h.labelId, 'art-1')).filter((share) => share.budgetId === 'bud-1');
    expect(await inBud1()).toEqual([]);

    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');

    // The reconciliation repaired bud-1: the crew's 220.00 USD is recoupable, counted apart...
    expect(await inBud1()).toEqual([
      { budgetId: 'bud-1', expenseId: 'inv-crew', amount: { minor: 22_000, currency: 'USD' } },
    ]);
    // ...and states it, as every repair it makes of what the budget counts: a watcher of the bus (and
    // the budget's drift history) hears that the artist's recoupable spend changed without a change of
    // the label's.
    expect(h.events('Budget Drift Repaired').map((e) => (e.detail as { data: unknown }).data)).toEqual([
      expect.objectContaining({ budgetId: 'bud-1', date: '2027-03-06' }),
    ]);
  });

  it('states Budget Drift Repaired for the shares it repairs of more invoices naming one order than fit its void', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget());
    await h.expense(
      anExpense({
        expenseId: 'po-video',
        kind: 'commitment',
        amount: { minor: 50_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    // Fifty of the crew's invoices (10.00 USD each, no rate yet) name the order: none has a share.
    for (let n = 1; n <= 50; n++)
      await h.expense(
        anExpense({
          expenseId: `inv-crew-${n}`,
          settles: 'po-video',
          date: '2027-03-04',
          amount: { minor: 1_000, currency: 'USD' },
          recoupable: artist,
        }),
      );
    // The label voids the order: more invoices name it than its write can count again.
    await h.voidExpense({ expenseId: 'po-video', budgetId: 'bud-1', reason: 'Raised in error' });
    const shared = async () => (await h.store.recoupable(h.labelId, 'art-1')).length;
    expect(await shared()).toBe(0);

    h.setNow('2027-03-06T07:00:00.000Z');
    await h.reconcile('2027-03-06');

    // The reconciliation repaired them: each invoice's 10.00 USD is recoupable...
    expect(await shared()).toBe(50);
    // ...and it says so.
    expect(h.events('Budget Drift Repaired').map((e) => (e.detail as { data: unknown }).data)).toEqual([
      expect.objectContaining({ budgetId: 'bud-1', date: '2027-03-06' }),
    ]);
  });
});
