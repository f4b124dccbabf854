import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { receiveExpenseVersion, recordedVersion } from '#functions/budgets/ledger-changes.ts';
import type { BudgetsDeps } from '#functions/budgets/ports.ts';
import { reconcileBudget } from '#functions/budgets/reconcile.ts';
import { type Budget, counter, sum } from '#shared/budgets/ledger.ts';
import { budgetPartition } from '#shared/db/budget-reads.ts';
import { dynamoBudgets } from '#shared/db/budgets.ts';
import type { Expense } from '#shared/events/expense-recorded.ts';
import { BudgetReconciliationDue, BudgetSet, buildDetail, ExpenseRecorded } from '#shared/events/index.ts';
import { ledgerItems, putItems } from '#test/support/budgets-seeding.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';

const table = aTableOfItsOwn('backline-budget-totals-release-pages');

// Reviews f7f5bd3 (the path it did not change). docs/design.md#budgets: the running totals always equal
// the ledger, and the reconciliation repairs totals that differ from it "conditional on their revision",
// which every ledger write moves. On DynamoDB the ledger's read is a paged Query and the totals' item
// (sk TOTALS) sorts after every expense's state (sk EXPENSE#...): on a ledger of more than one page
// (1 MB), a release written into the budget by an invoice of another budget (the order's state and the
// totals, no version here) after the order's page was read is in the totals and their revision and not
// in the states summed, so the repair puts the released order back in the totals at a revision that
// passes: bud-1 counts 100.00 EUR committed that bud-3's invoice settled, and its owner is told drift.
describe("an order of a large budget released by another budget's invoice while the budget's strong read is between pages", () => {
  it('stays released in the running totals the reconciliation repairs', async () => {
    const db = documentClient();
    const store = dynamoBudgets(db, table.name);
    const labelId = uniqueId('lbl');
    const budgetOf = (budgetId: string): Budget => ({
      ...BudgetSet.data.parse({
        ...BudgetSet.sample,
        budgetId,
        period: { start: '2019-01-01', end: '2019-12-31' },
      }),
      labelId,
      occurredAt: '2019-01-01T00:00:00.000Z',
    });
    const budget = budgetOf(uniqueId('bud-1'));
    const other = budgetOf(uniqueId('bud-3'));
    const { budgetId } = budget;
    const line = budget.lines[0].lineId;
    await store.saveBudget(budget);
    await store.saveBudget(other);
    // A year of the radio plugger's small invoices (0.01 EUR each, each with its 1,000-character note):
    // 900 of them, over 1 MB of states, so the ledger's Query answers in more than one page. The running
    // totals lost 0.05 EUR of them (drift, for the reconciliation to repair on a strong read).
    const fillers = Array.from({ length: 900 }, (_, i) =>
      ExpenseRecorded.data.parse({
        expenseId: `exp-${String(i).padStart(5, '0')}`,
        budgetId,
        lineId: line,
        vendor: 'Airplay Partners',
        date: '2019-06-01',
        amount: { minor: 1, currency: 'EUR' },
        kind: 'actual',
        description: 'x'.repeat(1_000),
      }),
    );
    const items = ledgerItems(labelId, budget, fillers, '2019-06-01T10:00:00.000Z');
    const totals = items.find((item) => item.sk === 'TOTALS') as Record<string, number>;
    totals[counter.actual(line)] = 895;
    await putItems(db, table.name, items);

    let sequence = 0;
    const expense = async (data: Partial<Expense> & { expenseId: string; budgetId: string }) => {
      const detail = buildDetail(
        ExpenseRecorded,
        {
          lineId: line,
          vendor: 'Night Drive Films',
          date: '2019-12-29',
          amount: { minor: 10_000, currency: 'EUR' },
          kind: 'actual',
          ...data,
        },
        { labelId, eventId: uniqueId('evt'), occurredAt: `2019-12-30T08:00:0${++sequence}.000Z` },
      );
      await receiveExpenseVersion(
        labelId,
        data.budgetId,
        recordedVersion('recorded')(detail.data, detail.metadata, '2019-12-30T09:00:00.000Z'),
        { store },
      );
    };
    // The video's order in bud-1 (100.00 EUR committed), its state sorting into the ledger's first page.
    await expense({ expenseId: 'a-po-video', budgetId, kind: 'commitment' });
    expect((await store.runningTotals(labelId, budgetId)).totals[counter.committed(line)]).toBe(10_000);

    // Right after the first page of bud-1's strong read, the label records the video's invoice in bud-3,
    // settling the order (100.00 EUR): the order is released in bud-1, its state and its totals.
    const send = db.send.bind(db) as (command: unknown) => Promise<unknown>;
    let pages = 0;
    let settled = false;
    (db as { send: unknown }).send = async (command: unknown) => {
      const strong =
        command instanceof QueryCommand &&
        command.input.ConsistentRead === true &&
        command.input.ExpressionAttributeValues?.[':pk'] === budgetPartition(labelId, budgetId);
      const first = strong && !(command as QueryCommand).input.ExclusiveStartKey;
      const answer = (await send(command)) as { LastEvaluatedKey?: unknown };
      if (strong) pages++;
      if (first && answer.LastEvaluatedKey && !settled) {
        settled = true;
        await expense({ expenseId: 'inv-video', budgetId: other.budgetId, settles: 'a-po-video' });
      }
      return answer;
    };
    const deps: BudgetsDeps = {
      store,
      mail: new Proxy({} as BudgetsDeps['mail'], {
        get: () => {
          throw new Error('nothing here is mailed: 109.00 EUR of 5,000.00 crosses no threshold');
        },
      }),
      now: () => new Date('2020-01-02T07:00:05.000Z'),
      timeZone: 'UTC',
    };
    const due = buildDetail(BudgetReconciliationDue, { labelId, budgetId, date: '2020-01-02' });
    await reconcileBudget(due.data, due.metadata, deps);
    (db as { send: unknown }).send = send;
    expect(settled).toBe(true);
    expect(pages).toBeGreaterThan(1);

    // bud-1's order is released (bud-3's invoice counts its 100.00 EUR): nothing committed, as its ledger says.
    const ledger = await store.ledger(labelId, budgetId, { consistent: true });
    expect(ledger.states.find((s) => s.expenseId === 'a-po-video')?.settledElsewhere).toEqual(['inv-video']);
    expect(ledger.totals[counter.committed(line)] ?? 0).toBe(0);
    expect(ledger.totals).toEqual(sum(...ledger.states.map((s) => s.contribution)));
  }, 240_000);
});
