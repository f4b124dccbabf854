import { describe, expect, it } from 'vitest';
import { type Budget, duplicatesListed } from '#shared/budgets/ledger.ts';
import { dynamoBudgets } from '#shared/db/budgets.ts';
import type { Expense } from '#shared/events/expense-recorded.ts';
import { ExpenseRecorded } from '#shared/events/index.ts';
import {
  aBudgetOf2019,
  ledgerItems,
  putItems,
  reconcileOn2January2020,
} from '#test/support/budgets-seeding.ts';
import { cloud, documentClient, uniqueId } from '#test/support/cloud.ts';

/**
 * A budget whose ledger is larger than any one item may be, reconciled by the budgets function's own
 * code on DynamoDB Local (its item limit is DynamoDB's 400 KB). The budget's period ended years before
 * the test cloud's clock, so the cloud's own daily fan-out never reconciles it for other tests. Its
 * expenses' ids, vendors and invoice numbers are as long as a label may send them, so a day's result
 * listing every one of them would pass the limit with a ledger of a thousand or two.
 */

/** A text of `length` characters, its schema's limit: `prefix`, then padding, then `i` in five digits. */
const atLimit = (prefix: string, length: number, i: number) =>
  `${prefix}${'x'.repeat(length - prefix.length - 5)}${String(i).padStart(5, '0')}`;

/** A budget of 2019 seeded with these expenses (as `writeLedger` leaves them), and deps reconciling it on 2020-01-02. */
async function aLargeBudget(expensesOf: (budget: Budget) => Expense[]) {
  const db = documentClient();
  const table = cloud().tableName;
  const store = dynamoBudgets(db, table);
  const labelId = uniqueId('lbl');
  const budget = aBudgetOf2019(labelId, uniqueId('bud'));
  await store.saveBudget(budget);
  await putItems(db, table, ledgerItems(labelId, budget, expensesOf(budget), '2019-12-31T10:00:00.000Z'));
  const reconcile = async () => {
    await reconcileOn2January2020(
      store,
      labelId,
      budget.budgetId,
      'no spend in the budget currency crosses a threshold',
    );
    return store.dayResults('2020-01-02', labelId, budget.owner.email);
  };
  return { store, budget, reconcile };
}

describe('a budget with a ledger too large for one item', () => {
  it('is reconciled when 1,200 of its expenses need a rate: the day keeps their count and sums per currency and lists the first of them', async () => {
    // A label's whole year booked in Icelandic kronur and Norwegian kroner, for which the manager put no
    // rate: invoices (with VAT) and purchase orders, each listed as needing a rate.
    const { store, budget, reconcile } = await aLargeBudget((budget) =>
      Array.from({ length: 1_200 }, (_, i) =>
        ExpenseRecorded.data.parse({
          expenseId: atLimit('exp-', 128, i),
          budgetId: budget.budgetId,
          lineId: budget.lines[0].lineId,
          vendor: atLimit('Reykjavik Studio Services ehf. ', 200, i % 40),
          invoiceNumber: `RSS-2019-${String(i).padStart(5, '0')}`,
          date: `2019-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
          ...(i % 2 === 0
            ? {
                amount: { minor: 10_000, currency: 'ISK' },
                vat: { minor: 2_400, currency: 'ISK' },
                kind: 'actual',
              }
            : { amount: { minor: 50_000, currency: 'NOK' }, kind: 'commitment' }),
        }),
      ),
    );

    const [result] = await reconcile();

    expect(result).toMatchObject({ budgetId: budget.budgetId, committed: 0, actual: 0 });
    expect(result.unconverted).toMatchObject({
      count: 1_200,
      byCurrency: {
        ISK: { count: 600, amounts: { actual: 6_000_000, vat: 1_440_000 } },
        NOK: { count: 600, amounts: { commitment: 30_000_000 } },
      },
      more: 1_200 - result.unconverted.first.length,
    });
    // The first by date (then id), named as the first: the rest are counted, not listed.
    expect(result.unconverted.first.length).toBeGreaterThan(0);
    expect(result.unconverted.first.length).toBeLessThanOrEqual(25);
    expect(result.unconverted.first[0]).toEqual({
      expenseId: atLimit('exp-', 128, 0),
      date: '2019-01-01',
      amount: { minor: 10_000, currency: 'ISK' },
      vat: { minor: 2_400, currency: 'ISK' },
      vendor: atLimit('Reykjavik Studio Services ehf. ', 200, 0),
    });
    expect((await store.getBudget(budget.labelId, budget.budgetId))?.lastResult?.unconverted.count).toBe(
      1_200,
    );
  });

  it('is reconciled when its 1,000 invoices were each sent twice: the day counts the 1,000 possible duplicates and lists the first of them', async () => {
    // A label's importer that sent its whole year twice under new expense ids: every invoice is
    // carried by two expenses, counted in both (no rate: nothing crosses a threshold), flagged.
    const { store, budget, reconcile } = await aLargeBudget((budget) =>
      Array.from({ length: 2_000 }, (_, i) =>
        ExpenseRecorded.data.parse({
          expenseId: atLimit(
            i < 1_000 ? 'import-2019-reykjavik-' : 'reimport-2019-reykjavik-',
            128,
            i % 1_000,
          ),
          budgetId: budget.budgetId,
          lineId: budget.lines[0].lineId,
          vendor: atLimit('Reykjavik Studio Services ehf. ', 200, 0),
          invoiceNumber: atLimit('RSS-2019-', 100, i % 1_000),
          date: `2019-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
          amount: { minor: 10_000, currency: 'ISK' },
          kind: 'actual',
        }),
      ),
    );

    const [result] = await reconcile();

    expect(result.possibleDuplicates).toMatchObject({ count: 1_000, more: 1_000 - duplicatesListed });
    expect(result.possibleDuplicates.first).toHaveLength(duplicatesListed);
    expect(result.possibleDuplicates.first[0]).toEqual({
      vendor: atLimit('Reykjavik Studio Services ehf. ', 200, 0),
      invoiceNumber: atLimit('RSS-2019-', 100, 0),
      expenseIds: [atLimit('import-2019-reykjavik-', 128, 0), atLimit('reimport-2019-reykjavik-', 128, 0)],
      more: 0,
    });
    expect(
      (await store.getBudget(budget.labelId, budget.budgetId))?.lastResult?.possibleDuplicates.count,
    ).toBe(1_000);
  });
});
