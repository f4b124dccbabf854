import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/budgets/handler.ts';
import type { BudgetsDeps } from '#functions/budgets/ports.ts';
import { counter, totalLimit } from '#shared/budgets/ledger.ts';
import { dynamoBudgets } from '#shared/db/budgets.ts';
import {
  BudgetSet,
  buildDetail,
  type EventContract,
  ExpenseAmended,
  ExpenseRecorded,
} from '#shared/events/index.ts';
import { aBudgetOf2019 } from '#test/support/budgets-seeding.ts';
import { cloud, documentClient, uniqueId } from '#test/support/cloud.ts';
import { anEvent } from '#test/support/events.ts';

/**
 * A recount that would take a running total past the largest kept refuses an expense for good: each of
 * its versions is taken off the ledger and kept as refused (docs/design.md#money). DynamoDB takes 100
 * items a transaction, and each version is two of them (its delete and its refusal's put).
 */

/** Half the largest total kept, and a minor unit more: two of them pass it. */
const half = Math.floor(totalLimit / 2) + 1;

describe('an expense of many versions a recount refuses', () => {
  it('is refused whole, every version kept as refused, and the Budget Set handled, not retried into the dead letters', async () => {
    const db = documentClient();
    const labelId = uniqueId('lbl');
    const budget = aBudgetOf2019(labelId, uniqueId('bud'));
    const store = dynamoBudgets(db, cloud().tableName);
    let now = Date.parse('2019-06-02T08:00:00.000Z');
    const deps: BudgetsDeps = {
      store,
      mail: {} as BudgetsDeps['mail'],
      now: () => new Date(now),
      timeZone: 'UTC',
    };
    const handler = makeHandler(deps);
    let sequence = 0;
    const deliver = async <C extends EventContract>(
      contract: C,
      data: Parameters<typeof buildDetail<C>>[1],
    ) => {
      sequence++;
      now += 1_000;
      const detail = buildDetail(contract, data, {
        labelId,
        eventId: `evt-${sequence}`,
        occurredAt: new Date(now).toISOString(),
      });
      await handler(anEvent(contract, detail), {} as Context);
    };
    const anExpense = (expenseId: string, minor: number) => ({
      expenseId,
      budgetId: budget.budgetId,
      lineId: 'radio',
      vendor: 'Airplay Partners',
      date: '2019-06-01',
      amount: { minor, currency: 'EUR' },
      kind: 'actual' as const,
    });
    // Held for a budget not set yet: exp-1, then exp-2 recorded and amended 59 times (60 versions).
    await deliver(ExpenseRecorded, anExpense('exp-1', half));
    await deliver(ExpenseRecorded, anExpense('exp-2', 1_000));
    for (let n = 1; n < 60; n++)
      await deliver(ExpenseAmended, anExpense('exp-2', n === 59 ? half : 1_000 + n));

    const { labelId: _l, occurredAt: _o, ...terms } = budget;
    await deliver(BudgetSet, terms);

    const ledger = await store.ledger(labelId, budget.budgetId, { consistent: true });
    expect(ledger.totals).toEqual({ [counter.actual('radio')]: half });
    expect(ledger.versions.map((v) => v.expenseId)).toEqual(['exp-1']);
    expect(ledger.refused).toHaveLength(60);
    expect(new Set(ledger.refused.map((r) => [r.expenseId, r.total].join(' ')))).toEqual(
      new Set(['exp-2 actual radio']),
    );
    expect(ledger.states.find((s) => s.expenseId === 'exp-2')).toMatchObject({ contribution: {} });
  });
});
