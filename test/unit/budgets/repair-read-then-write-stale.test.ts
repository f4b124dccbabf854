import { describe, expect, it } from 'vitest';
import type { LedgerWrite } from '#shared/db/budgets.ts';
import { BudgetReconciliationDue } from '#shared/events/index.ts';
import {
  aBudget,
  anExpense,
  artistInFull,
  budgetsHarness,
  crewInvoicesOfAVoidedOrder,
  driftStated,
  lostRelease,
  recordAfterStrongReads,
  unconvertedOrdersSettledInBud3,
} from '#test/support/budgets-harness.ts';

// Repairs whose share figures missed an invoice the label recorded in the budget while they ran: the
// scenes below share the artist, and the crew's or the caterer's unconverted invoice recorded in bud-1.

/** An invoice of bud-1 (`minor` USD of 4 March, no rate yet, naming no order): the artist's share, counted apart. */
const unconvertedInvoice = (expenseId: string, minor: number) =>
  anExpense({
    expenseId,
    date: '2027-03-04',
    amount: { minor, currency: 'USD' },
    recoupable: artistInFull,
  });

// Reviews c7e806e. docs/design.md#budgets: a repair's share figures "are what the budget's shares held
// just before that write and hold with it, whatever wrote into the budget since an earlier repair". The
// repair reads the order's budget's ledger (strongly) and then writes; conditional on the states it
// writes and the other budgets' word only, an invoice the label records in that budget between the read
// and the write was in neither figure (1,000 and 0 where 23,000 and 22,000 are due), and nothing later
// corrected what the owner was told. Every ledger write moves the totals' revision, and the repair's
// write holds the one it read: refused, it reads again.
describe("an unconverted invoice recorded in the order's budget between a repair's read of its ledger and the repair's write", () => {
  it("tells bud-1's owner what the artist's unconverted share held just before the write and holds with it", async () => {
    // An order in bud-1 (10.00 USD, no rate yet: counted apart, with the artist's share), settled by an
    // invoice (10.00 EUR) booked to bud-3, set late: its release into bud-1 is lost.
    const h = await lostRelease(unconvertedOrdersSettledInBud3(['po-01'], artistInFull));

    // bud-3's reconciliation repairs the release into bud-1: right after it reads bud-1's ledger for the
    // repair's share figures, the label records the crew's invoice in bud-1 (220.00 USD, no rate yet,
    // naming no order: the artist's share, counted apart).
    const recorded = recordAfterStrongReads(h, 'bud-1', 1, () => unconvertedInvoice('inv-crew', 22_000));
    await h.deliver(BudgetReconciliationDue, { labelId: h.labelId, budgetId: 'bud-3', date: '2027-03-06' });
    expect(recorded()).toBe(1);

    // bud-1 holds the crew's 220.00 USD as the artist's unconverted share, and held 230.00 USD with the order's.
    const held = (await h.store.recoupable(h.labelId, 'art-1')).filter((s) => s.budgetId === 'bud-1');
    expect(held).toEqual([
      { budgetId: 'bud-1', expenseId: 'inv-crew', amount: { minor: 22_000, currency: 'USD' } },
    ]);
    const shares = driftStated(h, 'bud-1').filter(
      (d) => (d as { total: string }).total === 'unconverted USD recoupable art-1',
    );
    expect(shares).toEqual([{ total: 'unconverted USD recoupable art-1', was: 23_000, ledger: 22_000 }]);
  });
});

// docs/design.md#budgets: a repaired release's share drift is "what the budget's shares held and hold"
// ("never the written order's alone"), read from the budget's ledger (strongly) when its write changes a
// share counted apart. Since ce6d666 the reconciliation reads that ledger once and carries it across its
// repairs with what the repairs wrote; an invoice the label records into the budget meanwhile is in
// neither, so every later repair tells the owner figures the budget never held.
describe("an unconverted invoice recorded in the order's budget while another budget's reconciliation repairs its lost releases", () => {
  it("tells bud-1's owner what the artist's unconverted share holds after the last repair, the crew's 220.00 USD included", async () => {
    // Three orders in bud-1 (10.00 USD each, no rate yet: counted apart, each with the artist's share),
    // each settled by an invoice (10.00 EUR) booked to bud-3, set late; their releases into bud-1 are lost.
    const h = await lostRelease(unconvertedOrdersSettledInBud3(['po-01', 'po-02', 'po-03'], artistInFull));
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
        await h.expense(unconvertedInvoice('inv-crew', 22_000));
      }
      return written;
    };
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

// docs/design.md#budgets: the reconciliation's repair of its own budget's shares holds the totals'
// revision of its read too. Its figures come from that read; an invoice recorded between it and the write
// is to refuse the write, and the repair to read again.
describe("an unconverted invoice recorded in the budget between its reconciliation's read and its repair of the shares", () => {
  it("tells bud-1's owner what the artist's unconverted shares held just before the repair and hold with it", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }));
    // The video's order (500.00 EUR) and fifty of the crew's invoices naming it (10.00 USD each, no rate
    // yet): none has a share while the order holds it. The label voids the order: more invoices name it
    // than its write counts again, so the reconciliation repairs their shares.
    await crewInvoicesOfAVoidedOrder(h, artistInFull);
    expect(await h.store.recoupable(h.labelId, 'art-1')).toEqual([]);

    // Right after the reconciliation's strong read of bud-1, the label records the catering invoice there
    // (50.00 USD, no rate yet, naming no order: the artist's share, counted apart).
    const recorded = recordAfterStrongReads(h, 'bud-1', 1, () => unconvertedInvoice('inv-catering', 5_000));
    h.setNow('2027-03-06T07:00:00.000Z');
    await h.deliver(BudgetReconciliationDue, { labelId: h.labelId, budgetId: 'bud-1', date: '2027-03-06' });
    expect(recorded()).toBe(1);

    // bud-1 holds 550.00 USD of the artist's shares counted apart, and held 50.00 USD (the catering's).
    expect((await h.store.recoupable(h.labelId, 'art-1')).length).toBe(51);
    const shares = driftStated(h, 'bud-1').filter(
      (d) => (d as { total: string }).total === 'unconverted USD recoupable art-1',
    );
    expect(shares).toEqual([{ total: 'unconverted USD recoupable art-1', was: 5_000, ledger: 55_000 }]);
  });
});
