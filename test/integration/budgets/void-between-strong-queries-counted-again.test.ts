import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { receiveExpenseVersion, recordedVersion, voidedVersion } from '#functions/budgets/ledger-changes.ts';
import { counter } from '#shared/budgets/ledger.ts';
import { budgetPartition } from '#shared/db/budget-reads.ts';
import { dynamoBudgets } from '#shared/db/budgets.ts';
import { buildDetail, ExpenseRecorded, ExpenseVoided } from '#shared/events/index.ts';
import {
  aBudgetOf2019,
  ledgerItems,
  putItems,
  reconcileOn2January2020,
} from '#test/support/budgets-seeding.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';

const table = aTableOfItsOwn('backline-budget-void-between-queries');

// Reviews a32d957 (docs/design.md#budgets). A strong read of the ledger read the totals' item and the
// versions first (sk >= TOTALS), the states after (sk < TOTALS), so an expense's change landing between
// them was in the states read and not in the versions read; the reconciliation rebuilds each state from
// the versions it read and writes the states that differ (reevaluate, conditional on the state's stored
// revision only), so a void landing between the two Queries un-voided the invoice and the running totals
// counted its 100.00 EUR again (it failed with [10000] where [] is due). Now the totals' item alone is read
// first, then the whole ledger in its order: the states before the versions.
describe("an invoice voided between the two Queries of a reconciliation's strong read", () => {
  it('is never counted again in the running totals', async () => {
    const db = documentClient();
    const store = dynamoBudgets(db, table.name);
    const labelId = uniqueId('lbl');
    const budget = aBudgetOf2019(labelId, uniqueId('bud-1'));
    const { budgetId } = budget;
    const line = budget.lines[0].lineId;
    await store.saveBudget(budget);
    // The radio plugger's five small invoices (0.01 EUR each); the running totals lost 0.05 EUR of them
    // (drift: the reconciliation reads again strongly to repair it).
    const fillers = Array.from({ length: 5 }, (_, i) =>
      ExpenseRecorded.data.parse({
        expenseId: `exp-${i}`,
        budgetId,
        lineId: line,
        vendor: 'Airplay Partners',
        date: '2019-06-01',
        amount: { minor: 1, currency: 'EUR' },
        kind: 'actual',
      }),
    );
    const items = ledgerItems(labelId, budget, fillers, '2019-06-01T10:00:00.000Z');
    const seeded = items.find((item) => item.sk === 'TOTALS') as Record<string, number>;
    seeded[counter.actual(line)] = 0;
    await putItems(db, table.name, items);

    // The video's invoice (100.00 EUR), recorded on 30 December.
    const recorded = buildDetail(
      ExpenseRecorded,
      {
        expenseId: 'inv-video',
        budgetId,
        lineId: line,
        vendor: 'Night Drive Films',
        date: '2019-12-29',
        amount: { minor: 10_000, currency: 'EUR' },
        kind: 'actual',
      },
      { labelId, eventId: uniqueId('evt'), occurredAt: '2019-12-30T08:00:00.000Z' },
    );
    await receiveExpenseVersion(
      labelId,
      budgetId,
      recordedVersion('recorded')(recorded.data, recorded.metadata, '2019-12-30T09:00:00.000Z'),
      { store },
    );
    // Voided (booked twice) on 2 January, landing right after the first Query of the reconciliation's
    // first strong read (now the totals' item and the versions; before a32d957 the whole ledger) and
    // before its second (the states).
    const voided = buildDetail(
      ExpenseVoided,
      { expenseId: 'inv-video', budgetId, reason: 'Booked twice' },
      { labelId, eventId: uniqueId('evt'), occurredAt: '2020-01-02T07:00:02.000Z' },
    );
    const send = db.send.bind(db) as (command: unknown) => Promise<unknown>;
    let done = false;
    (db as { send: unknown }).send = async (command: unknown) => {
      const input = command instanceof QueryCommand ? command.input : undefined;
      const answer = await send(command);
      if (
        !done &&
        input?.ConsistentRead === true &&
        input.ExpressionAttributeValues?.[':pk'] === budgetPartition(labelId, budgetId)
      ) {
        done = true;
        await receiveExpenseVersion(
          labelId,
          budgetId,
          voidedVersion(voided.data, voided.metadata, '2020-01-02T07:00:03.000Z'),
          { store },
        );
      }
      return answer;
    };
    // The radio line's actual as the budget's view reads it after each ledger write the reconciliation makes.
    const seen: number[] = [];
    const writeLedger = store.writeLedger.bind(store);
    store.writeLedger = async (...args: Parameters<typeof writeLedger>) => {
      const written = await writeLedger(...args);
      seen.push((await store.runningTotals(labelId, budgetId)).totals[counter.actual(line)] ?? 0);
      return written;
    };
    await reconcileOn2January2020(
      store,
      labelId,
      budgetId,
      '0.05 EUR of 5,000.00 crosses no threshold',
    ).catch(() => undefined);
    (db as { send: unknown }).send = send;
    expect(done).toBe(true);

    // The invoice is voided: the radio line counts the plugger's 0.05 EUR, never the video's 100.00 EUR.
    expect(seen.filter((actual) => actual >= 10_000)).toEqual([]);
    expect((await store.runningTotals(labelId, budgetId)).totals[counter.actual(line)]).toBe(5);
  }, 240_000);
});
