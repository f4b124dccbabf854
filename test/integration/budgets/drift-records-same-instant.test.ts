import { describe, expect, it } from 'vitest';
import { type Budget, counter, type ExpenseState, emptyState } from '#shared/budgets/ledger.ts';
import { dynamoBudgets } from '#shared/db/budgets.ts';
import { BudgetDriftRepaired, BudgetSet, outboxEntry } from '#shared/events/index.ts';
import { cloud, documentClient, uniqueId } from '#test/support/cloud.ts';

/**
 * docs/design.md#budgets: "The day's result lists the drift kept for its date in the budget (the drift
 * records its ledger read holds ...)". Two repair transactions of one instant in one budget may be led by
 * the same expense (the order's state leads the release's own write and every push of its word,
 * pushHolding -> repairShares): each record is kept apart by the event stating it (driftOf), so the
 * second Put does not replace the first on DynamoDB and the money both stated stays in the day's result.
 */
describe('two repair transactions of one instant in one budget, led by the same expense', () => {
  it('keeps both drift records, as it states both repairs (Budget Drift Repaired), on DynamoDB', async () => {
    const store = dynamoBudgets(documentClient(), cloud().tableName);
    const budget: Budget = {
      ...BudgetSet.data.parse(BudgetSet.sample),
      labelId: uniqueId('lbl'),
      budgetId: uniqueId('bud'),
      occurredAt: '2027-03-01T10:00:00.000Z',
    };
    await store.saveBudget(budget);
    const { labelId, budgetId } = budget;
    const date = '2027-03-06';
    const at = '2027-03-06T07:00:00.000Z';
    // The order's state here (held in another budget: no data) and the crew's unconverted invoice naming it.
    const order = (revision: number, heldAtHome: boolean): ExpenseState => ({
      ...emptyState('po-video', '2027-03-05T08:00:00.000Z'),
      heldAtHome,
      revision,
    });
    const crew = (revision: number, minor: number | undefined): ExpenseState => ({
      ...emptyState('inv-crew', '2027-03-05T08:00:00.000Z'),
      contribution: { [counter.unconverted('USD', 'actual')]: 22_000 },
      ...(minor === undefined
        ? {}
        : { recoupable: { artistId: 'art-1', name: 'Art One', amount: { minor, currency: 'USD' } } }),
      revision,
    });
    const repairOf = (was: number, ledger: number) => {
      const differences = [{ total: 'unconverted USD recoupable art-1', was, ledger }];
      return {
        record: { date, at, differences },
        entries: [outboxEntry(BudgetDriftRepaired, { labelId, budgetId, date, differences }, { labelId })],
      };
    };
    await store.writeLedger(labelId, budgetId, {
      versions: [],
      states: [order(0, true), crew(0, undefined)],
      delta: {},
    });
    // The first repair: the order no longer holds its share, the crew's invoice gets 220.00 USD...
    const first = repairOf(0, 22_000);
    expect(
      await store.writeLedger(labelId, budgetId, {
        versions: [],
        states: [order(1, false), crew(1, 22_000)],
        delta: {},
        drift: first,
      }),
    ).toBe(true);
    // ...and a second, at the same instant, led by the order again (its word written back).
    const second = repairOf(22_000, 0);
    expect(
      await store.writeLedger(labelId, budgetId, {
        versions: [],
        states: [order(2, true), crew(2, undefined)],
        delta: {},
        drift: second,
      }),
    ).toBe(true);

    const { drift } = await store.ledger(labelId, budgetId, { consistent: true });
    expect(drift).toEqual(expect.arrayContaining([first.record, second.record]));
    expect(drift).toHaveLength(2);
  });
});
