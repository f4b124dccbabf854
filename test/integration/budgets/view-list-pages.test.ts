import { describe, expect, it } from 'vitest';
import { budgetListLimit, budgetListUsual } from '#functions/office/budgets.ts';
import type { Budget } from '#shared/budgets/ledger.ts';
import { budgetPartition } from '#shared/db/budget-reads.ts';
import { type DriftRecord, dynamoBudgets, type Refusal } from '#shared/db/budgets.ts';
import { keyOf } from '#shared/db/keys.ts';
import type { Expense } from '#shared/events/expense-recorded.ts';
import { ExpenseRecorded } from '#shared/events/index.ts';
import { cursorAfter } from '#shared/http/cursor.ts';
import { aBudgetOf2019, ledgerItems, putItems } from '#test/support/budgets-seeding.ts';
import { api, cloud, documentClient, requestCounts, uniqueId } from '#test/support/cloud.ts';
import { allPages } from '#test/support/pages.ts';

/**
 * A budget's view through the local cloud's gateway: its figures whole, and its lists of unconverted
 * expenses, refused versions, possible duplicates and drift, which grow with the label's expenses, its
 * other budgets and its repairs, as a first page with the cursor of the next, each list paged on its own
 * route as the ledger is, every row once.
 */

const lists = {
  unconverted: 'unconverted',
  refused: 'refused',
  possibleDuplicates: 'possible-duplicates',
  driftHistory: 'drift-history',
} as const;
type List = keyof typeof lists;

type ListPage = { nextCursor?: string } & { [name in List]?: { expenseId?: string }[] };
type View = { totals: { unconverted: Record<string, Record<string, number>> } } & {
  [name in List]: { expenseId?: string }[];
} & { [name in `${List}NextCursor`]?: string };

// Every text at its schema's limit: an id of a character JSON writes as six (\u0001), the longest rows
// there are.
const long = (length: number, i: number) => '\u0001'.repeat(length - 6) + String(i).padStart(6, '0');
// A name or a line (an invoice number) takes no control character: its longest is of one JSON writes as
// three bytes (€, U+20AC).
const longName = (length: number, i: number) => '\u20ac'.repeat(length - 6) + String(i).padStart(6, '0');
const rowBytes = (rows: unknown[]) => Math.max(...rows.map((row) => Buffer.byteLength(JSON.stringify(row))));

/** Of each list: more than the view's first page holds, and than two pages of 70. */
const rows = budgetListUsual + 50;
/** Of each expense's invoice, carried by it here and by this many expenses of other budgets. */
const elsewhere = 3;
/** Of each drift record (one repair), the totals it set right; and three records of one instant alike. */
const repaired = 2;
const alike = 3;

/**
 * A budget in EUR with `rows` expenses in USD (no rate: unconverted), `rows` versions refused, `rows`
 * invoices each carried by an expense here and `elsewhere` expenses of other budgets (flagged at intake),
 * and `rows` drift records of `repaired` totals each, as another budget's reconciliation kept them, and
 * `alike` records of one instant stating the same repair.
 */
async function aBudgetWithLongLists() {
  const db = documentClient();
  const table = cloud().tableName;
  const labelId = uniqueId('lbl');
  const budget: Budget = aBudgetOf2019(labelId, uniqueId('bud'));
  const store = dynamoBudgets(db, table);
  await store.saveBudget(budget);
  const expenses = Array.from(
    { length: rows },
    (_, i): Expense =>
      ExpenseRecorded.data.parse({
        expenseId: long(128, i),
        budgetId: budget.budgetId,
        lineId: budget.lines[0].lineId,
        vendor: longName(200, i),
        invoiceNumber: longName(100, i),
        date: '2019-06-01',
        amount: { minor: 1_000_000_000_000 + i, currency: budget.currency === 'USD' ? 'GBP' : 'USD' },
        vat: { minor: 200_000_000_000 + i, currency: budget.currency === 'USD' ? 'GBP' : 'USD' },
        kind: 'actual',
      }),
  );
  await putItems(db, table, ledgerItems(labelId, budget, expenses, '2019-12-31T10:00:00.000Z'));
  const refusals: Refusal[] = Array.from({ length: rows }, (_, i) => {
    const total = `recoupable USD ${long(128, i)}`;
    return {
      expenseId: long(128, i),
      at: `2019-12-31T10:00:00.000Z#${'e'.repeat(36)}`,
      change: 'amended',
      total,
      reason: `${total} would pass 9007199254740991, the largest total Backline keeps`,
      receivedAt: '2019-12-31T10:00:01.000Z',
    };
  });
  for (let start = 0; start < rows; start += 50)
    await Promise.all(
      refusals.slice(start, start + 50).map((r) => store.keepRefused(labelId, budget.budgetId, r)),
    );
  for (let start = 0; start < rows; start += 50)
    await Promise.all(
      expenses.slice(start, start + 50).map((e, j) =>
        store.flagInvoice(
          labelId,
          budget.budgetId,
          {
            vendor: e.vendor,
            invoiceNumber: e.invoiceNumber!,
            expenses: [
              { budgetId: budget.budgetId, expenseId: e.expenseId },
              ...Array.from({ length: elsewhere }, (_, k) => ({
                budgetId: long(128, k),
                expenseId: long(128, (start + j) * elsewhere + k),
              })),
            ],
          },
          1,
        ),
      ),
    );
  // Kept as a repair keeps them (its date and time, then the expense and event leading it, apart).
  const drift = [
    ...Array.from({ length: rows }, (_, i) => ({
      record: {
        date: '2019-12-31',
        at: new Date(Date.parse('2019-12-31T10:00:00.000Z') + i).toISOString(),
        differences: Array.from({ length: repaired }, (_, k) => ({
          total: `unconverted USD recoupable ${long(128, i * repaired + k)}`,
          was: -9_007_199_254_740_991,
          ledger: 9_007_199_254_740_991 - i,
        })),
        by: long(128, i),
      },
      of: [long(128, i), `evt-${i}`],
    })),
    ...Array.from({ length: alike }, (_, i) => ({
      record: { date: '2019-12-30', at: '2019-12-30T10:00:00.000Z', differences: [aRepair] },
      of: ['po-video', `evt-alike-${i}`],
    })),
  ];
  await putItems(
    db,
    table,
    drift.map(({ record, of }) => ({
      pk: budgetPartition(labelId, budget.budgetId),
      sk: keyOf('DRIFT', record.date, record.at, ...of),
      entity: 'drift',
      ...record,
    })),
  );
  return {
    path: `/labels/${labelId}/budgets/${budget.budgetId}`,
    budget,
    drift: drift.map(({ record }) => record),
    expenses,
  };
}

const aRepair = { total: 'unconverted USD recoupable art-1', was: 0, ledger: 22_000 };

/** The drift history's rows: one per total a record set right. */
const driftRowsOf = (records: DriftRecord[]) =>
  records.flatMap(({ date, at, by, differences }) =>
    differences.map((d) => ({ date, at, ...(by ? { by } : {}), ...d })),
  );

/** Rows as text, in an order of their own: the same rows, each as many times, compare equal. */
const asSorted = (listed: unknown[]) => listed.map((row) => JSON.stringify(row)).sort();

/** The longest row of each list, as its schemas allow it (functions/office/budgets.ts). */
const longestRow: Record<List, number> = {
  unconverted: 2.2 * 1024,
  refused: 3 * 1024,
  possibleDuplicates: 3.5 * 1024,
  driftHistory: 2 * 1024,
};

describe("a budget's view, its unconverted, refused, possible duplicates and drift lists a page at a time", () => {
  it('holds the first page of each list with the cursor of the next, and the list routes give every row once', async () => {
    const { path, budget, drift, expenses } = await aBudgetWithLongLists();

    const response = await api(path);
    const text = await response.text();
    expect(response.status, text.slice(0, 300)).toBe(200);
    // Bounded by the first page of each list, however long the lists grow.
    const bound = Object.values(longestRow).reduce((sum, row) => sum + row * budgetListUsual, 64 * 1024);
    expect(Buffer.byteLength(text)).toBeLessThan(bound);
    const view = JSON.parse(text) as View;
    // The figures stay whole: every unconverted expense is in the totals.
    const [byKind] = Object.values(view.totals.unconverted);
    expect(byKind.actual).toBe(rows * 1_000_000_000_000 + (rows * (rows - 1)) / 2);

    const expected: Record<List, unknown[] | undefined> = {
      unconverted: undefined,
      refused: undefined,
      possibleDuplicates: expenses.flatMap((e, i) => [
        {
          vendor: e.vendor,
          invoiceNumber: e.invoiceNumber,
          budgetId: budget.budgetId,
          expenseId: e.expenseId,
        },
        ...Array.from({ length: elsewhere }, (_, k) => ({
          vendor: e.vendor,
          invoiceNumber: e.invoiceNumber,
          budgetId: long(128, k),
          expenseId: long(128, i * elsewhere + k),
        })),
      ]),
      driftHistory: driftRowsOf(drift),
    };
    const counts: Record<List, number> = {
      unconverted: rows,
      refused: rows,
      possibleDuplicates: rows * (1 + elsewhere),
      driftHistory: rows * repaired + alike,
    };
    // From the view's cursor, the rest of each list; from none, all of it in pages of 70.
    for (const name of Object.keys(lists) as List[]) {
      expect(view[name], name).toHaveLength(budgetListUsual);
      expect(view[`${name}NextCursor`], name).toBeDefined();
      const { pages: rest } = await allPages<ListPage>(`${path}/${lists[name]}`, {
        cursor: view[`${name}NextCursor`]!,
      });
      const fromView = [...view[name], ...rest.flatMap((page) => page[name]!)];
      expect(fromView, name).toHaveLength(counts[name]);
      if (expected[name]) expect(asSorted(fromView), name).toEqual(asSorted(expected[name]));
      else expect(new Set(fromView.map((row) => row.expenseId)).size, name).toBe(rows);
      const paged = (await allPages<ListPage>(`${path}/${lists[name]}`, { limit: '70' })).pages.flatMap(
        (page) => page[name]!,
      );
      expect(paged, name).toEqual(fromView);
      // The longest row is within its bound, so a page of the most stays under 5 MB.
      expect(rowBytes(paged), name).toBeLessThan(longestRow[name]);
      expect(longestRow[name] * budgetListLimit).toBeLessThan(5 * 1024 * 1024);
    }
  });

  it('gives rows of the drift history alike in every part each once, a page of one at a time', async () => {
    const db = documentClient();
    const labelId = uniqueId('lbl');
    const budget = aBudgetOf2019(labelId, uniqueId('bud'));
    await dynamoBudgets(db, cloud().tableName).saveBudget(budget);
    const at = '2019-12-30T10:00:00.000Z';
    const record = (n: string, differences = [aRepair]) => ({
      pk: budgetPartition(labelId, budget.budgetId),
      sk: keyOf('DRIFT', '2019-12-30', at, 'po-video', n),
      entity: 'drift',
      date: '2019-12-30',
      at,
      differences,
    });
    await putItems(db, cloud().tableName, [
      record('evt-1'),
      record('evt-2'),
      record('evt-3', [aRepair, { ...aRepair, was: 22_000, ledger: 0 }]),
    ]);
    const path = `/labels/${labelId}/budgets/${budget.budgetId}/drift-history`;

    const { pages: first } = await allPages<ListPage>(path, { limit: '1' });
    const listed = first.flatMap((page) => page.driftHistory!);
    expect(listed).toHaveLength(4);
    expect(
      listed.filter((row) => JSON.stringify(row) === JSON.stringify({ date: '2019-12-30', at, ...aRepair })),
    ).toHaveLength(3);

    // From the cursor after the second alike row: the third, one alike written since, and the other.
    const cursor = first[1].nextCursor!;
    await putItems(db, cloud().tableName, [record('evt-4')]);
    const { pages: after } = await allPages<ListPage>(path, { limit: '1', cursor });
    expect(after.flatMap((page) => page.driftHistory!)).toEqual([
      { date: '2019-12-30', at, ...aRepair },
      { date: '2019-12-30', at, ...aRepair },
      { date: '2019-12-30', at, ...aRepair, was: 22_000, ledger: 0 },
    ]);
  });

  it("reads a page of the drift history from its cursor on, not the budget's whole ledger", async () => {
    const db = documentClient();
    const table = cloud().tableName;
    const labelId = uniqueId('lbl');
    const budget = aBudgetOf2019(labelId, uniqueId('bud'));
    await dynamoBudgets(db, table).saveBudget(budget);
    // A ledger of over 3 MB (each expense's version and state carry its description of 1,000 characters),
    // which DynamoDB answers in four Queries of 1 MB, and 60 repairs of one total each.
    const expenses = Array.from({ length: 1_100 }, (_, i) =>
      ExpenseRecorded.data.parse({
        ...ExpenseRecorded.sample,
        expenseId: `exp-${String(i).padStart(4, '0')}`,
        budgetId: budget.budgetId,
        lineId: budget.lines[0].lineId,
        description: 'd'.repeat(1_000),
      }),
    );
    await putItems(db, table, ledgerItems(labelId, budget, expenses, '2019-12-31T10:00:00.000Z'));
    const repairs = 60;
    const drift = Array.from({ length: repairs }, (_, i) => ({
      date: '2019-12-31',
      at: new Date(Date.parse('2019-12-31T10:00:00.000Z') + i).toISOString(),
      differences: [{ ...aRepair, was: i }],
    }));
    await putItems(
      db,
      table,
      drift.map((record) => ({
        pk: budgetPartition(labelId, budget.budgetId),
        sk: keyOf('DRIFT', record.date, record.at, 'po-video', `evt-${record.at}`),
        entity: 'drift',
        ...record,
      })),
    );

    const before = (await requestCounts())['DynamoDB Query'] ?? 0;
    const { pages } = await allPages<ListPage>(
      `/labels/${labelId}/budgets/${budget.budgetId}/drift-history`,
      { limit: '10' },
    );
    const queries = ((await requestCounts())['DynamoDB Query'] ?? 0) - before;

    expect(pages.flatMap((page) => page.driftHistory)).toEqual(driftRowsOf(drift));
    expect(pages).toHaveLength(repairs / 10);
    // One Query a page (of the 13 records that fill it), where the whole ledger
    // took four: at most two, whatever else the cloud reads meanwhile.
    expect(queries).toBeLessThanOrEqual(pages.length * 2);
  });

  it.each([
    [
      'a cursor this API did not return',
      'cursor=bm90LWEtY3Vyc29y',
      'query.cursor',
      'is not one this API returned',
    ],
    [
      'a cursor of the refused list',
      `cursor=${cursorAfter('refused', ['exp-1', '2019-12-31T10:00:00.000Z#e'])}`,
      'query.cursor',
      'is not one this API returned',
    ],
    [
      'a cursor of the ledger',
      `cursor=${cursorAfter('ledger', ['exp-1', '2019-12-31T10:00:00.000Z#e'])}`,
      'query.cursor',
      'is not one this API returned',
    ],
    [
      'a page past the most',
      `limit=${budgetListLimit + 1}`,
      'query.limit',
      `must be from 1 to ${budgetListLimit}`,
    ],
    ['a page of no rows', 'limit=0', 'query.limit', `must be from 1 to ${budgetListLimit}`],
  ])('answers the unconverted list with %s with a 400 naming it', async (_, query, path, message) => {
    const db = documentClient();
    const labelId = uniqueId('lbl');
    const budget = aBudgetOf2019(labelId, uniqueId('bud'));
    await dynamoBudgets(db, cloud().tableName).saveBudget(budget);

    const response = await api(`/labels/${labelId}/budgets/${budget.budgetId}/unconverted?${query}`);

    expect(response.status).toBe(400);
    expect(((await response.json()) as { issues: unknown[] }).issues).toEqual([{ path, message }]);
  });

  it('answers the refused list of a budget that is not there with a 404', async () => {
    const response = await api(`/labels/${uniqueId('lbl')}/budgets/nope/refused`);
    expect(response.status).toBe(404);
  });
});
