import { describe, expect, it } from 'vitest';
import { ledgerPageLimit } from '#functions/office/budgets.ts';
import type { Budget } from '#shared/budgets/ledger.ts';
import { dynamoBudgets } from '#shared/db/budgets.ts';
import type { Expense } from '#shared/events/expense-recorded.ts';
import { ExpenseRecorded } from '#shared/events/index.ts';
import { aBudgetOf2019, ledgerItems, putItems } from '#test/support/budgets-seeding.ts';
import { api, cloud, documentClient, uniqueId } from '#test/support/cloud.ts';
import { allPages } from '#test/support/pages.ts';

/**
 * A budget's ledger through the local cloud's gateway, which holds an answer to the 6 MB a Lambda
 * answers synchronously: a page at a time, every row once, whatever the ledger holds.
 */

interface LedgerAnswer {
  entries: { expenseId: string; version: string; description?: string }[];
  nextCursor?: string;
}

const anExpense = (budget: Budget, expenseId: string, overrides: Record<string, unknown> = {}): Expense =>
  ExpenseRecorded.data.parse({
    expenseId,
    budgetId: budget.budgetId,
    lineId: budget.lines[0].lineId,
    vendor: 'Tour Bus Ltd',
    date: '2019-06-01',
    amount: { minor: 1_000, currency: budget.currency },
    kind: 'actual',
    ...overrides,
  });

async function aBudgetWith(expensesOf: (budget: Budget) => Expense[], at = '2019-12-31T10:00:00.000Z') {
  const db = documentClient();
  const table = cloud().tableName;
  const labelId = uniqueId('lbl');
  const budget = aBudgetOf2019(labelId, uniqueId('bud'));
  await dynamoBudgets(db, table).saveBudget(budget);
  await putItems(db, table, ledgerItems(labelId, budget, expensesOf(budget), at));
  const path = `/labels/${labelId}/budgets/${budget.budgetId}/ledger`;
  const add = (expenses: Expense[]) =>
    putItems(db, table, ledgerItems(labelId, budget, expenses, '2019-12-31T11:00:00.000Z'));
  return { budget, path, add };
}

describe("a budget's ledger, a page at a time", () => {
  it('answers a ledger whose rows are all as long as they can be, which whole would pass 6 MB, in pages each under it, every row once', async () => {
    // Every text at its schema's limit: an id of a character JSON writes as six (\u0001), the longest
    // rows there are; a name or text takes no control character, so its longest is of one JSON writes as
    // three bytes (€, U+20AC). Three pages of them pass 6 MB.
    const long = (length: number, i: number) => '\u0001'.repeat(length - 6) + String(i).padStart(6, '0');
    const longName = (length: number, i: number) => '\u20ac'.repeat(length - 6) + String(i).padStart(6, '0');
    const rows = ledgerPageLimit * 3;
    const { path } = await aBudgetWith((budget) =>
      Array.from({ length: rows }, (_, i) =>
        anExpense(budget, long(128, i), {
          vendor: longName(200, i),
          invoiceNumber: longName(100, i),
          settles: long(128, i + 1),
          // One artist: each artist is a counter of the running totals, whose item holds at most 400 KB.
          recoupable: { artist: { artistId: long(128, 0), name: longName(200, i) }, sharePercent: 12.5 },
          description: longName(1000, i),
        }),
      ),
    );

    const first = await api(path);
    const body = await first.text();
    expect(first.status, body.slice(0, 300)).toBe(200);
    // Whole, the rows would take past the 6 MB (6,291,456 bytes) a Lambda may answer.
    const page = JSON.parse(body) as LedgerAnswer;
    const rowBytes = Math.max(...page.entries.map((entry) => Buffer.byteLength(JSON.stringify(entry))));
    expect(rowBytes * rows).toBeGreaterThan(6_291_456);
    expect(rowBytes).toBeLessThan(12 * 1024);
    expect(Buffer.byteLength(body)).toBeLessThan(5 * 1024 * 1024);
    expect(page.entries).toHaveLength(ledgerPageLimit);

    const { pages } = await allPages<LedgerAnswer>(path);
    const seen = pages.flatMap((p) => p.entries.map((entry) => entry.expenseId));
    expect(seen).toHaveLength(rows);
    expect(new Set(seen).size).toBe(rows);
  });

  it('pages in ledger order, as JSON and as CSV, a cursor naming the row it was taken after', async () => {
    const ids = ['exp-a', 'exp-b', 'exp-c', 'exp-d', 'exp-e', 'exp-f', 'exp-g'];
    const { budget, path, add } = await aBudgetWith((budget) => ids.map((id) => anExpense(budget, id)));

    const { pages } = await allPages<LedgerAnswer>(path, { limit: '3' });
    expect(pages.map((p) => p.entries.map((entry) => entry.expenseId))).toEqual([
      ['exp-a', 'exp-b', 'exp-c'],
      ['exp-d', 'exp-e', 'exp-f'],
      ['exp-g'],
    ]);
    expect(pages.at(-1)?.nextCursor).toBeUndefined();

    // Rows written after a page was read: one before its cursor is on no later page, one after is.
    const second = await api(`${path}?limit=3`);
    const { nextCursor } = (await second.json()) as LedgerAnswer;
    await add([anExpense(budget, 'exp-b2'), anExpense(budget, 'exp-d2')]);
    const next = (await (await api(`${path}?limit=3&cursor=${nextCursor}`)).json()) as LedgerAnswer;
    expect(next.entries.map((entry) => entry.expenseId)).toEqual(['exp-d', 'exp-d2', 'exp-e']);

    // CSV: the next page is the Link header's, the query kept.
    const csvIds: string[] = [];
    let url: string | undefined = `${path}?limit=4&from=2019-01-01`;
    while (url) {
      const response = await api(url, { headers: { accept: 'text/csv' } });
      expect(response.status).toBe(200);
      const [, ...lines] = (await response.text()).trim().split('\n');
      csvIds.push(...lines.map((line) => line.split(',')[0]));
      url = /^<([^>]+)>; rel="next"$/.exec(response.headers.get('link') ?? '')?.[1];
      if (url) expect(new URL(url, 'http://x').searchParams.get('from')).toBe('2019-01-01');
    }
    expect(csvIds).toEqual([
      'exp-a',
      'exp-b',
      'exp-b2',
      'exp-c',
      'exp-d',
      'exp-d2',
      'exp-e',
      'exp-f',
      'exp-g',
    ]);
  });

  it('pages every row once where two expense ids are the same text written two ways (é as one character and as two)', async () => {
    // Canonically equivalent, so a locale's collation ranks them equal; distinct ids all the same.
    const ids = ['exp-caf\u00e9', 'exp-cafe\u0301', 'exp-z'];
    const { path } = await aBudgetWith((budget) => ids.map((id) => anExpense(budget, id)));

    const { pages } = await allPages<LedgerAnswer>(path, { limit: '1' });

    expect(pages.flatMap((p) => p.entries.map((entry) => entry.expenseId)).sort()).toEqual([...ids].sort());
  });

  it.each([
    ['a cursor this API did not return', 'cursor=bm90LWEtY3Vyc29y', 'query.cursor'],
    ['a cursor of the wrong shape', `cursor=${Buffer.from('[1,2]').toString('base64url')}`, 'query.cursor'],
    ['a page of no rows', 'limit=0', 'query.limit'],
    ['a page past the most', `limit=${ledgerPageLimit + 1}`, 'query.limit'],
    ['a page size that is no number', 'limit=all', 'query.limit'],
  ])('answers %s with a 400 naming it', async (_, query, field) => {
    const { path } = await aBudgetWith((budget) => [anExpense(budget, 'exp-1')]);
    const response = await api(`${path}?${query}`);
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain(field);
  });
});
