import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { receiveExpenseVersion, recordedVersion, voidedVersion } from '#functions/budgets/ledger-changes.ts';
import type { BudgetsDeps } from '#functions/budgets/ports.ts';
import { reconcileBudget } from '#functions/budgets/reconcile.ts';
import type { Budget } from '#shared/budgets/ledger.ts';
import { budgetPartition } from '#shared/db/budget-reads.ts';
import { dynamoBudgets } from '#shared/db/budgets.ts';
import type { Expense } from '#shared/events/expense-recorded.ts';
import {
  BudgetReconciliationDue,
  BudgetSet,
  buildDetail,
  ExpenseRecorded,
  ExpenseVoided,
} from '#shared/events/index.ts';
import { ledgerItems, putItems } from '#test/support/budgets-seeding.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';

const table = aTableOfItsOwn('backline-budget-share-pages');

const artist = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };

// Reviews f7f5bd3 and 0838586. docs/design.md#budgets: the reconciliation's repair of its own budget's
// shares holds "its read's revision", so that an invoice recorded between its read and its write refuses
// the write. On DynamoDB that read is a paged Query of the budget's partition, and the totals' item
// (sk TOTALS) sorts after every expense's state (sk EXPENSE#...): on a ledger of more than one page (1 MB),
// an invoice recorded after the states' page was read and before the totals' page is in the revision and
// not in the states, so the repair's write passes its condition with figures that miss it, and the owner
// of bud-1 is told the artist's unconverted USD share was 0 and is 50,000 where 5,000 and 55,000 are due.
describe("an unconverted invoice recorded in a large budget while its reconciliation's strong read is between pages", () => {
  it("tells the owner what the artist's unconverted shares held just before the repair and hold with it", async () => {
    const db = documentClient();
    const store = dynamoBudgets(db, table.name);
    const labelId = uniqueId('lbl');
    const budget: Budget = {
      ...BudgetSet.data.parse({
        ...BudgetSet.sample,
        budgetId: uniqueId('bud'),
        period: { start: '2019-01-01', end: '2019-12-31' },
      }),
      labelId,
      occurredAt: '2019-01-01T00:00:00.000Z',
    };
    const { budgetId } = budget;
    await store.saveBudget(budget);
    // A year of the radio plugger's small invoices (0.01 EUR each, each with its 1,000-character note):
    // 900 of them, over 1 MB of states, so the ledger's Query answers in more than one page.
    const fillers = Array.from({ length: 900 }, (_, i) =>
      ExpenseRecorded.data.parse({
        expenseId: `exp-${String(i).padStart(5, '0')}`,
        budgetId,
        lineId: budget.lines[0].lineId,
        vendor: 'Airplay Partners',
        date: '2019-06-01',
        amount: { minor: 1, currency: 'EUR' },
        kind: 'actual',
        description: 'x'.repeat(1_000),
      }),
    );
    await putItems(db, table.name, ledgerItems(labelId, budget, fillers, '2019-06-01T10:00:00.000Z'));

    let sequence = 0;
    const receive = async (contract: typeof ExpenseRecorded | typeof ExpenseVoided, data: unknown) => {
      const detail = buildDetail(contract as typeof ExpenseRecorded, data as Expense, {
        labelId,
        eventId: `evt-${uniqueId('e')}-${++sequence}`,
        occurredAt: `2019-12-30T08:00:${String(sequence % 60).padStart(2, '0')}.000Z`,
      });
      const version =
        contract === ExpenseVoided
          ? voidedVersion(detail.data as never, detail.metadata, '2019-12-30T09:00:00.000Z')
          : recordedVersion('recorded')(detail.data, detail.metadata, '2019-12-30T09:00:00.000Z');
      await receiveExpenseVersion(labelId, budgetId, version, { store });
    };
    const expense = (overrides: Partial<Expense>) =>
      receive(ExpenseRecorded, {
        budgetId,
        lineId: budget.lines[0].lineId,
        vendor: 'Night Drive Films',
        date: '2019-12-29',
        kind: 'actual',
        ...overrides,
      });
    // The video's order (500.00 EUR) and fifty of the crew's invoices naming it (10.00 USD each, no rate):
    // none has a share while the order holds it. The label voids the order: more invoices name it than
    // its write counts again, so the reconciliation repairs their shares.
    await expense({
      expenseId: 'po-video',
      kind: 'commitment',
      amount: { minor: 50_000, currency: 'EUR' },
      recoupable: artist,
    });
    for (let n = 1; n <= 50; n++)
      await expense({
        expenseId: `inv-crew-${n}`,
        settles: 'po-video',
        amount: { minor: 1_000, currency: 'USD' },
        recoupable: artist,
      });
    await receive(ExpenseVoided, { expenseId: 'po-video', budgetId, reason: 'Raised in error' });
    expect(await store.recoupable(labelId, 'art-1')).toEqual([]);

    // Right after the first page of the reconciliation's strong read of the budget, the label records the
    // catering invoice there (50.00 USD, no rate, naming no order: the artist's share, counted apart), its
    // state sorting into the page already read.
    const send = db.send.bind(db) as (command: unknown) => Promise<unknown>;
    let pages = 0;
    let recorded = false;
    (db as { send: unknown }).send = async (command: unknown) => {
      const strong =
        command instanceof QueryCommand &&
        command.input.ConsistentRead === true &&
        command.input.ExpressionAttributeValues?.[':pk'] === budgetPartition(labelId, budgetId);
      const first = strong && !(command as QueryCommand).input.ExclusiveStartKey;
      const answer = (await send(command)) as { LastEvaluatedKey?: unknown };
      if (strong) pages++;
      if (first && answer.LastEvaluatedKey && !recorded) {
        recorded = true;
        await expense({
          expenseId: 'a-catering',
          vendor: 'Tour Catering Ltd',
          amount: { minor: 5_000, currency: 'USD' },
          recoupable: artist,
        });
      }
      return answer;
    };
    const deps: BudgetsDeps = {
      store,
      mail: new Proxy({} as BudgetsDeps['mail'], {
        get: () => {
          throw new Error('nothing here is mailed: 9.00 EUR of 5,000.00 crosses no threshold');
        },
      }),
      now: () => new Date('2020-01-02T07:00:05.000Z'),
      timeZone: 'UTC',
    };
    const due = buildDetail(BudgetReconciliationDue, { labelId, budgetId, date: '2020-01-02' });
    await reconcileBudget(due.data, due.metadata, deps);
    (db as { send: unknown }).send = send;
    expect(recorded).toBe(true);
    expect(pages).toBeGreaterThan(1);

    // The budget holds 550.00 USD of the artist's shares counted apart, and held 50.00 USD (the catering's).
    const held = await store.recoupable(labelId, 'art-1');
    expect(held.reduce((all, s) => all + s.amount.minor, 0)).toBe(55_000);
    const { drift } = await store.ledger(labelId, budgetId, { consistent: true });
    const shares = drift
      .flatMap((d) => d.differences)
      .filter((d) => d.total === 'unconverted USD recoupable art-1');
    expect(shares).toEqual([{ total: 'unconverted USD recoupable art-1', was: 5_000, ledger: 55_000 }]);
  }, 240_000);
});
