import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { receiveExpenseVersion, recordedVersion, voidedVersion } from '#functions/budgets/ledger-changes.ts';
import { counter, sum } from '#shared/budgets/ledger.ts';
import { budgetPartition } from '#shared/db/budget-reads.ts';
import { dynamoBudgets } from '#shared/db/budgets.ts';
import type { Expense } from '#shared/events/expense-recorded.ts';
import { buildDetail, ExpenseRecorded, ExpenseVoided } from '#shared/events/index.ts';
import { artistInFull } from '#test/support/budgets-harness.ts';
import {
  aBudgetOf2019,
  ledgerItems,
  putItems,
  reconcileOn2January2020,
} from '#test/support/budgets-seeding.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';

// A large budget's reconciliation reads its ledger strongly, on DynamoDB a paged Query of the budget's
// partition whose totals' item (sk TOTALS) sorts after every expense's state (sk EXPENSE#...): the scene
// each describe below shares, a write landing right after that read's first page.
const table = aTableOfItsOwn('backline-budget-strong-read-pages');

/**
 * A 2019 budget of a label of its own (and `others` of that label), its ledger a year of the radio
 * plugger's small invoices (0.01 EUR each, each with its 1,000-character note): 900 of them, over 1 MB
 * of states, so the ledger's Query answers in more than one page. The running totals lost `lostCents`
 * of them (drift, for the reconciliation to repair on a strong read).
 */
async function aLargeBudget(budgetId: string, others: string[] = [], lostCents = 0) {
  const db = documentClient();
  const store = dynamoBudgets(db, table.name);
  const labelId = uniqueId('lbl');
  const budget = aBudgetOf2019(labelId, budgetId);
  const line = budget.lines[0].lineId;
  await store.saveBudget(budget);
  for (const other of others) await store.saveBudget(aBudgetOf2019(labelId, other));
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
  totals[counter.actual(line)] -= lostCents;
  await putItems(db, table.name, items);
  return { db, store, labelId, budget, line };
}

/**
 * `write` done once, right after the first page of a strong read of `budgetId`'s partition that has a
 * page after it; answers whether it was done and how many pages the strong reads took, until restored.
 */
function afterFirstStrongPage(
  db: DynamoDBDocumentClient,
  labelId: string,
  budgetId: string,
  write: () => Promise<unknown>,
) {
  const send = db.send.bind(db) as (command: unknown) => Promise<unknown>;
  let pages = 0;
  let done = false;
  (db as { send: unknown }).send = async (command: unknown) => {
    const strong =
      command instanceof QueryCommand &&
      command.input.ConsistentRead === true &&
      command.input.ExpressionAttributeValues?.[':pk'] === budgetPartition(labelId, budgetId);
    const first = strong && !(command as QueryCommand).input.ExclusiveStartKey;
    const answer = (await send(command)) as { LastEvaluatedKey?: unknown };
    if (strong) pages++;
    if (first && answer.LastEvaluatedKey && !done) {
      done = true;
      await write();
    }
    return answer;
  };
  return {
    done: () => done,
    pages: () => pages,
    restore: () => {
      (db as { send: unknown }).send = send;
    },
  };
}

// Reviews f7f5bd3 and 0838586. docs/design.md#budgets: the reconciliation's repair of its own budget's
// shares holds "its read's revision", so that an invoice recorded between its read and its write refuses
// the write. On DynamoDB that read is a paged Query of the budget's partition, and the totals' item
// (sk TOTALS) sorts after every expense's state (sk EXPENSE#...): on a ledger of more than one page (1 MB),
// an invoice recorded after the states' page was read and before the totals' page is in the revision and
// not in the states, so the repair's write passes its condition with figures that miss it, and the owner
// of bud-1 is told the artist's unconverted USD share was 0 and is 50,000 where 5,000 and 55,000 are due.
describe("an unconverted invoice recorded in a large budget while its reconciliation's strong read is between pages", () => {
  it("tells the owner what the artist's unconverted shares held just before the repair and hold with it", async () => {
    const { db, store, labelId, budget } = await aLargeBudget(uniqueId('bud'));
    const { budgetId } = budget;

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
      recoupable: artistInFull,
    });
    for (let n = 1; n <= 50; n++)
      await expense({
        expenseId: `inv-crew-${n}`,
        settles: 'po-video',
        amount: { minor: 1_000, currency: 'USD' },
        recoupable: artistInFull,
      });
    await receive(ExpenseVoided, { expenseId: 'po-video', budgetId, reason: 'Raised in error' });
    expect(await store.recoupable(labelId, 'art-1')).toEqual([]);

    // Right after the first page of the reconciliation's strong read of the budget, the label records the
    // catering invoice there (50.00 USD, no rate, naming no order: the artist's share, counted apart), its
    // state sorting into the page already read.
    const recorded = afterFirstStrongPage(db, labelId, budgetId, () =>
      expense({
        expenseId: 'a-catering',
        vendor: 'Tour Catering Ltd',
        amount: { minor: 5_000, currency: 'USD' },
        recoupable: artistInFull,
      }),
    );
    await reconcileOn2January2020(store, labelId, budgetId, '9.00 EUR of 5,000.00 crosses no threshold');
    recorded.restore();
    expect(recorded.done()).toBe(true);
    expect(recorded.pages()).toBeGreaterThan(1);

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
    // bud-1 large, and bud-3; the running totals of bud-1 lost 0.05 EUR of the plugger's invoices.
    const other = uniqueId('bud-3');
    const { db, store, labelId, budget, line } = await aLargeBudget(uniqueId('bud-1'), [other], 5);
    const { budgetId } = budget;

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
    const settled = afterFirstStrongPage(db, labelId, budgetId, () =>
      expense({ expenseId: 'inv-video', budgetId: other, settles: 'a-po-video' }),
    );
    await reconcileOn2January2020(store, labelId, budgetId, '109.00 EUR of 5,000.00 crosses no threshold');
    settled.restore();
    expect(settled.done()).toBe(true);
    expect(settled.pages()).toBeGreaterThan(1);

    // bud-1's order is released (bud-3's invoice counts its 100.00 EUR): nothing committed, as its ledger says.
    const ledger = await store.ledger(labelId, budgetId, { consistent: true });
    expect(ledger.states.find((s) => s.expenseId === 'a-po-video')?.settledElsewhere).toEqual(['inv-video']);
    expect(ledger.totals[counter.committed(line)] ?? 0).toBe(0);
    expect(ledger.totals).toEqual(sum(...ledger.states.map((s) => s.contribution)));
  }, 240_000);
});
