import { describe, expect, it } from 'vitest';
import { budgetListLimit, budgetListUsual } from '#functions/office/budgets.ts';
import type { Budget } from '#shared/budgets/ledger.ts';
import { dynamoBudgets, type Refusal } from '#shared/db/budgets.ts';
import type { Expense } from '#shared/events/expense-recorded.ts';
import { ExpenseRecorded } from '#shared/events/index.ts';
import { cursorAfter } from '#shared/http/cursor.ts';
import { aBudgetOf2019, ledgerItems, putItems } from '#test/support/budgets-seeding.ts';
import { api, cloud, documentClient, uniqueId } from '#test/support/cloud.ts';

/**
 * A budget's view through the local cloud's gateway: its figures whole, and its lists of unconverted
 * expenses and refused versions, which grow with the label's expenses, as a first page with the cursor
 * of the next, each list paged on its own route as the ledger is, every row once.
 */

interface ListPage {
  nextCursor?: string;
  unconverted?: { expenseId: string }[];
  refused?: { expenseId: string; at: string }[];
}
interface View {
  totals: { unconverted: Record<string, Record<string, number>> };
  unconverted: { expenseId: string }[];
  unconvertedNextCursor?: string;
  refused: { expenseId: string; at: string }[];
  refusedNextCursor?: string;
}

// Every text at its schema's limit, of a character JSON writes as six (\u0001): the longest rows there are.
const long = (length: number, i: number) => '\u0001'.repeat(length - 6) + String(i).padStart(6, '0');
const rowBytes = (rows: unknown[]) => Math.max(...rows.map((row) => Buffer.byteLength(JSON.stringify(row))));

const rows = 250;

/** A budget in EUR with `rows` expenses in USD (no rate: unconverted) and `rows` versions refused. */
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
        vendor: long(200, i),
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
  return { path: `/labels/${labelId}/budgets/${budget.budgetId}`, budget };
}

/** Every page of a list from `cursor` (the first page without one), following `nextCursor`. */
async function pagesOf(path: string, query: Record<string, string> = {}): Promise<ListPage[]> {
  const pages: ListPage[] = [];
  let cursor: string | undefined = query.cursor;
  do {
    const response = await api(`${path}?${new URLSearchParams({ ...query, ...(cursor ? { cursor } : {}) })}`);
    const text = await response.text();
    expect(response.status, text.slice(0, 300)).toBe(200);
    expect(Buffer.byteLength(text)).toBeLessThan(5 * 1024 * 1024);
    const page = JSON.parse(text) as ListPage;
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor);
  return pages;
}

describe("a budget's view, its unconverted and refused lists a page at a time", () => {
  it('holds the first page of each list with the cursor of the next, and the list routes give every row once', async () => {
    const { path } = await aBudgetWithLongLists();

    const response = await api(path);
    const text = await response.text();
    expect(response.status, text.slice(0, 300)).toBe(200);
    const view = JSON.parse(text) as View;
    // The figures stay whole: every unconverted expense is in the totals.
    const [byKind] = Object.values(view.totals.unconverted);
    expect(byKind.actual).toBe(rows * 1_000_000_000_000 + (rows * (rows - 1)) / 2);
    expect(view.unconverted).toHaveLength(budgetListUsual);
    expect(view.refused).toHaveLength(budgetListUsual);
    expect(view.unconvertedNextCursor).toBeDefined();
    expect(view.refusedNextCursor).toBeDefined();

    // From the view's cursor, the rest of each list; from none, all of it in pages of 70.
    for (const name of ['unconverted', 'refused'] as const) {
      const rest = await pagesOf(`${path}/${name}`, { cursor: view[`${name}NextCursor`]! });
      const fromView = [...view[name], ...rest.flatMap((page) => page[name]!)].map((row) => row.expenseId);
      expect(fromView).toHaveLength(rows);
      expect(new Set(fromView).size).toBe(rows);
      const paged = (await pagesOf(`${path}/${name}`, { limit: '70' })).flatMap((page) => page[name]!);
      expect(paged.map((row) => row.expenseId)).toEqual(fromView);
      // The longest row is under 3 KB, so a page of the most stays under 5 MB.
      expect(rowBytes(paged)).toBeLessThan(3 * 1024);
      expect(rowBytes(paged) * budgetListLimit).toBeLessThan(5 * 1024 * 1024);
    }
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
      `Too big: expected number to be <=${budgetListLimit}`,
    ],
    ['a page of no rows', 'limit=0', 'query.limit', 'Too small: expected number to be >=1'],
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
