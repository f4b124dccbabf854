import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/budgets/handler.ts';
import type { BudgetsDeps } from '#functions/budgets/ports.ts';
import { dynamoBudgets } from '#shared/db/budgets.ts';
import type { Expense } from '#shared/events/expense-recorded.ts';
import { buildDetail, ExpenseRecorded } from '#shared/events/index.ts';
import { aBudgetOf2019, ledgerItems, putItems } from '#test/support/budgets-seeding.ts';
import { cloud, documentClient, uniqueId } from '#test/support/cloud.ts';
import { anEvent } from '#test/support/events.ts';

/**
 * The running totals are one item, one attribute a total (docs/design.md#money): a recoupable artist
 * is a total of its own, named by the artist's id, and DynamoDB keeps at most 400 KB in an item. A write
 * they would not fit in is refused for good, as one past the largest total is.
 */

/** An artist id of the schema's 128 characters, 122 of them U+0001, which JSON writes as six bytes each. */
const artistId = (n: number) => `${String(n).padStart(6, '0')}${'\u0001'.repeat(122)}`;

const anExpense = (budgetId: string, lineId: string, n: number): Expense =>
  ExpenseRecorded.data.parse({
    expenseId: `exp-${n}`,
    budgetId,
    lineId,
    vendor: 'Studio Ltd',
    date: '2019-06-01',
    amount: { minor: 1_000, currency: 'EUR' },
    kind: 'actual',
    recoupable: { artist: { artistId: artistId(n), name: `Artist ${n}` }, sharePercent: 50 },
  });

/** An item's size as DynamoDB counts it, or more: each name's bytes, a string's bytes, at most 21 a number. */
const itemBytesAtMost = (item: Record<string, unknown>) =>
  Object.entries(item).reduce(
    (bytes, [name, value]) =>
      bytes + Buffer.byteLength(name) + (typeof value === 'number' ? 21 : Buffer.byteLength(String(value))),
    0,
  );

describe('a budget whose running totals fill their item', () => {
  it('refuses for good the expense of one recoupable artist more, and its event is handled, not retried into the dead letters', async () => {
    const db = documentClient();
    const table = cloud().tableName;
    const labelId = uniqueId('lbl');
    const budget = aBudgetOf2019(labelId, uniqueId('bud'));
    const lineId = budget.lines[0].lineId;
    const store = dynamoBudgets(db, table);
    await store.saveBudget(budget);
    // Recoupable artists whose totals fill the item to within about 10 KB of its 400 KB.
    const expenses: Expense[] = [];
    const totalsOf = () => ledgerItems(labelId, budget, expenses, '2019-12-31T10:00:00.000Z').at(-1)!;
    while (itemBytesAtMost(totalsOf()) < 400 * 1024)
      expenses.push(anExpense(budget.budgetId, lineId, expenses.length));
    expenses.pop();
    await putItems(db, table, ledgerItems(labelId, budget, expenses, '2019-12-31T10:00:00.000Z'));
    expect(Object.keys(totalsOf())).toContain(JSON.stringify(['recoupable', artistId(0)]));
    expect((await store.runningTotals(labelId, budget.budgetId)).totalsRevision).toBe(expenses.length);

    const deps: BudgetsDeps = {
      store,
      mail: {} as BudgetsDeps['mail'],
      now: () => new Date('2020-01-02T07:00:05.000Z'),
      timeZone: 'UTC',
    };
    const handler = makeHandler(deps);
    // One artist more at a time (a total's name is about 760 bytes), until one is not counted.
    for (let n = expenses.length; n < expenses.length + 40; n++) {
      const detail = buildDetail(ExpenseRecorded, anExpense(budget.budgetId, lineId, n), {
        labelId,
        eventId: `evt-${n}`,
      });
      await handler(anEvent(ExpenseRecorded, detail), {} as Context);
      const { refused } = await store.ledger(labelId, budget.budgetId, { consistent: true });
      if (refused.length > 0) {
        expect(refused).toEqual([
          expect.objectContaining({
            expenseId: `exp-${n}`,
            total: `recoupable ${artistId(n)}`,
            reason: expect.stringMatching(/does not fit: a budget's running totals are one item/),
          }),
        ]);
        // An expense of an artist the totals hold still counts: it adds no total.
        const again = buildDetail(
          ExpenseRecorded,
          { ...anExpense(budget.budgetId, lineId, 0), expenseId: 'exp-again' },
          { labelId, eventId: 'evt-again' },
        );
        await handler(anEvent(ExpenseRecorded, again), {} as Context);
        const { states } = await store.ledger(labelId, budget.budgetId, { consistent: true });
        expect(states.map((state) => state.expenseId)).toContain('exp-again');
        return;
      }
    }
    expect.unreachable('40 artists more were all counted: the item holds far more than 400 KB');
  });
});
