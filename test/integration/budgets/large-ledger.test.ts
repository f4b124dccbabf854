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
 * the test cloud's clock, so the cloud's own daily fan-out never reconciles it for other tests.
 */
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

describe('a budget with a ledger of thousands of expenses', () => {
  it('is reconciled when 5,000 of its expenses need a rate: the day keeps their count and sums per currency and lists the first of them', async () => {
    // A label's whole year booked in Icelandic kronur and Norwegian kroner, for which the manager put no
    // rate: invoices (with VAT) and purchase orders, each listed as needing a rate.
    const { store, budget, reconcile } = await aLargeBudget((budget) =>
      Array.from({ length: 5_000 }, (_, i) =>
        ExpenseRecorded.data.parse({
          expenseId: `exp-${String(i).padStart(5, '0')}`,
          budgetId: budget.budgetId,
          lineId: budget.lines[0].lineId,
          vendor: `Reykjavik Studio Services ehf. ${i % 40}`,
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
      count: 5_000,
      byCurrency: {
        ISK: { count: 2_500, amounts: { actual: 25_000_000, vat: 6_000_000 } },
        NOK: { count: 2_500, amounts: { commitment: 125_000_000 } },
      },
      more: 5_000 - result.unconverted.first.length,
    });
    // The first by date (then id), named as the first: the rest are counted, not listed.
    expect(result.unconverted.first.length).toBeGreaterThan(0);
    expect(result.unconverted.first.length).toBeLessThanOrEqual(25);
    expect(result.unconverted.first[0]).toEqual({
      expenseId: 'exp-00000',
      date: '2019-01-01',
      amount: { minor: 10_000, currency: 'ISK' },
      vat: { minor: 2_400, currency: 'ISK' },
      vendor: 'Reykjavik Studio Services ehf. 0',
    });
    expect((await store.getBudget(budget.labelId, budget.budgetId))?.lastResult?.unconverted.count).toBe(
      5_000,
    );
  });

  it('is reconciled when its 4,000 invoices were each sent twice: the day counts the 4,000 possible duplicates and lists the first of them', async () => {
    // A label's importer that sent its whole year twice under new expense ids: every invoice is
    // carried by two expenses, counted in both (no rate: nothing crosses a threshold), flagged.
    const { store, budget, reconcile } = await aLargeBudget((budget) =>
      Array.from({ length: 8_000 }, (_, i) =>
        ExpenseRecorded.data.parse({
          expenseId: `${i < 4_000 ? 'import' : 'reimport'}-2019-reykjavik-${String(i % 4_000).padStart(5, '0')}`,
          budgetId: budget.budgetId,
          lineId: budget.lines[0].lineId,
          vendor: 'Reykjavik Studio Services ehf.',
          invoiceNumber: `RSS-2019-${String(i % 4_000).padStart(5, '0')}`,
          date: `2019-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
          amount: { minor: 10_000, currency: 'ISK' },
          kind: 'actual',
        }),
      ),
    );

    const [result] = await reconcile();

    expect(result.possibleDuplicates).toMatchObject({ count: 4_000, more: 4_000 - duplicatesListed });
    expect(result.possibleDuplicates.first).toHaveLength(duplicatesListed);
    expect(result.possibleDuplicates.first[0]).toEqual({
      vendor: 'Reykjavik Studio Services ehf.',
      invoiceNumber: 'RSS-2019-00000',
      expenseIds: ['import-2019-reykjavik-00000', 'reimport-2019-reykjavik-00000'],
      more: 0,
    });
    expect(
      (await store.getBudget(budget.labelId, budget.budgetId))?.lastResult?.possibleDuplicates.count,
    ).toBe(4_000);
  });
});
