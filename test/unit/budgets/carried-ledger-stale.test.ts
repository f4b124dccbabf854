import { describe, expect, it } from 'vitest';
import type { LedgerWrite } from '#shared/db/budgets.ts';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import {
  aBudget,
  anExpense,
  budgetsHarness,
  driftStated,
  loseRelease,
} from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: a repaired release's share drift is "what the budget's shares held and hold"
// ("never the written order's alone"), read from the budget's ledger (strongly) when its write changes a
// share counted apart. Since ce6d666 the reconciliation reads that ledger once and carries it across its
// repairs with what the repairs wrote; an invoice the label records into the budget meanwhile is in
// neither, so every later repair tells the owner figures the budget never held.

const artist = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };

describe("an unconverted invoice recorded in the order's budget while another budget's reconciliation repairs its lost releases", () => {
  it("tells bud-1's owner what the artist's unconverted share holds after the last repair, the crew's 220.00 USD included", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    // Three orders in bud-1 (10.00 USD each, no rate yet: counted apart, each with the artist's share),
    // each settled by an invoice (10.00 EUR) booked to bud-3, set late; their releases into bud-1 are lost.
    const orders = ['po-01', 'po-02', 'po-03'];
    for (const orderId of orders)
      await h.expense(
        anExpense({
          expenseId: orderId,
          kind: 'commitment',
          date: '2027-03-04',
          amount: { minor: 1_000, currency: 'USD' },
          recoupable: artist,
        }),
      );
    for (const orderId of orders)
      await h.expense(
        anExpense({
          expenseId: `inv-${orderId}`,
          budgetId: 'bud-3',
          settles: orderId,
          amount: { minor: 1_000, currency: 'EUR' },
          recoupable: artist,
        }),
      );
    await loseRelease(h, 'bud-3', '2027-03-05T09:00:00.000Z');
    const lost = (await h.ledger('bud-1')).states.filter((s) => s.recoupable).length;
    expect(lost).toBeGreaterThan(1);

    // bud-3's reconciliation: right after its first repair into bud-1, the label records the crew's
    // invoice in bud-1 (220.00 USD, no rate yet, naming no order: the artist's share, counted apart).
    const writeLedger = h.store.writeLedger.bind(h.store);
    let recorded = false;
    h.store.writeLedger = async (labelId: string, budgetId: string, write: LedgerWrite) => {
      const written = await writeLedger(labelId, budgetId, write);
      if (written && !recorded && budgetId === 'bud-1' && write.drift) {
        recorded = true;
        await h.expense(
          anExpense({
            expenseId: 'inv-crew',
            date: '2027-03-04',
            amount: { minor: 22_000, currency: 'USD' },
            recoupable: artist,
          }),
        );
      }
      return written;
    };
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.deliver(BudgetReconciliationDue, { labelId: h.labelId, budgetId: 'bud-3', date: '2027-03-06' });
    expect(recorded).toBe(true);

    // Every release is repaired; bud-1 holds the crew's 220.00 USD as the artist's unconverted share.
    const held = (await h.store.recoupable(h.labelId, 'art-1')).filter((s) => s.budgetId === 'bud-1');
    expect(held).toEqual([
      { budgetId: 'bud-1', expenseId: 'inv-crew', amount: { minor: 22_000, currency: 'USD' } },
    ]);
    // The owner's last word on that share, from the last repair, is what bud-1 holds: 22,000, not 0.
    const shares = (driftStated(h, 'bud-1') as { total: string; was: number; ledger: number }[]).filter(
      (d) => d.total === 'unconverted USD recoupable art-1',
    );
    expect(shares).toHaveLength(lost);
    expect(shares.at(-1)).toEqual({ total: 'unconverted USD recoupable art-1', was: 23_000, ledger: 22_000 });
  });
});
