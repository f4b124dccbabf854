import { describe, expect, it } from 'vitest';
import { counter } from '#shared/budgets/ledger.ts';
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
