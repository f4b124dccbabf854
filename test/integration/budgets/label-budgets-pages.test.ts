import { describe, expect, it } from 'vitest';
import { labelBudgetsLimit, labelBudgetsUsual } from '#functions/office/budgets.ts';
import type { Budget } from '#shared/budgets/ledger.ts';
import { dynamoBudgets } from '#shared/db/budgets.ts';
import { keyOf } from '#shared/db/keys.ts';
import { BudgetSet } from '#shared/events/index.ts';
import { cursorAfter } from '#shared/http/cursor.ts';
import { api, cloud, documentClient, uniqueId } from '#test/support/cloud.ts';
import { allPages } from '#test/support/pages.ts';

/**
 * A label's budgets (`GET /labels/{labelId}/budgets`) through the local cloud's gateway, which grow with
 * its releases, tours and campaigns: a page at a time, as the office's other lists are (`limit`,
 * `cursor`, `nextCursor`), every budget once, of one scope too.
 */

interface Page {
  budgets: { budgetId: string; scope: { kind: string; id: string } }[];
  nextCursor?: string;
}

// Every text at its schema's limit, of a character JSON writes as six (\u0001): the longest rows there are.
const long = (length: number, i: number) => '\u0001'.repeat(length - 6) + String(i).padStart(6, '0');
// A name takes no control character: its longest is of one JSON writes as three bytes (€, U+20AC).
const longName = (length: number, i: number) => '\u20ac'.repeat(length - 6) + String(i).padStart(6, '0');
const rowBytes = (rows: unknown[]) => Math.max(...rows.map((row) => Buffer.byteLength(JSON.stringify(row))));

const count = 250;
const kinds = ['release', 'tour', 'campaign'] as const;

/** `count` budgets of a new label, each text at its limit, in three kinds of scope and five scopes of each. */
async function aLabelWithManyBudgets() {
  const store = dynamoBudgets(documentClient(), cloud().tableName);
  const labelId = uniqueId('lbl');
  const budgets: Budget[] = Array.from({ length: count }, (_, i) => ({
    ...BudgetSet.data.parse({
      ...BudgetSet.sample,
      budgetId: long(128, i),
      scope: { kind: kinds[i % 3], id: long(128, i % 5) },
      owner: { name: longName(200, i), email: `${'o'.repeat(60)}@${'b'.repeat(180)}.example` },
      period: { start: '2019-01-01', end: '2019-12-31' },
    }),
    labelId,
    occurredAt: '2019-01-01T00:00:00.000Z',
  }));
  for (let start = 0; start < count; start += 50)
    await Promise.all(budgets.slice(start, start + 50).map((budget) => store.saveBudget(budget)));
  return { labelId, budgets };
}

const issuesOf = async (response: Response) => ((await response.json()) as { issues: unknown[] }).issues;

describe("a label's budgets, a page at a time", () => {
  it('answers them in pages, each of its longest budgets once, by scope and budget id; of one scope too', async () => {
    const { labelId, budgets } = await aLabelWithManyBudgets();
    const path = `/labels/${labelId}/budgets`;

    const { pages, bytes } = await allPages<Page>(path);
    const listed = pages.flatMap((page) => page.budgets);
    // More than one page (100 by default), every budget once.
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0].budgets).toHaveLength(labelBudgetsUsual);
    expect(listed).toHaveLength(count);
    expect(new Set(listed.map((b) => b.budgetId))).toEqual(new Set(budgets.map((b) => b.budgetId)));
    // By scope kind, then scope id, then budget id.
    const order = listed.map((b) => [b.scope.kind, b.scope.id, b.budgetId].join('\0'));
    expect(order).toEqual([...order].sort());
    // The longest budget is under 4 KB, so a page of the most stays under 5 MB.
    const longest = rowBytes(listed);
    expect(longest).toBeLessThan(4 * 1024);
    expect(longest * labelBudgetsLimit).toBeLessThan(5 * 1024 * 1024);
    expect(Math.max(...bytes)).toBeLessThan(5 * 1024 * 1024);

    // Smaller pages: the same budgets in the same order; the most in one page.
    const small = (await allPages<Page>(path, { limit: '70' })).pages;
    expect(small.map((page) => page.budgets.length)).toEqual([70, 70, 70, 40]);
    expect(small.flatMap((page) => page.budgets.map((b) => b.budgetId))).toEqual(
      listed.map((b) => b.budgetId),
    );
    expect((await allPages<Page>(path, { limit: String(labelBudgetsLimit) })).pages).toHaveLength(1);

    // Of one kind of scope, and of one scope, paged the same way.
    const tours = (await allPages<Page>(path, { scope: 'tour', limit: '30' })).pages;
    const tourBudgets = budgets.filter((b) => b.scope.kind === 'tour').map((b) => b.budgetId);
    expect(tours.length).toBeGreaterThan(1);
    expect(tours.flatMap((page) => page.budgets.map((b) => b.budgetId)).sort()).toEqual(tourBudgets.sort());
    const one = (await allPages<Page>(path, { scope: 'tour', scopeId: long(128, 2), limit: '5' })).pages;
    const oneScope = budgets.filter((b) => b.scope.kind === 'tour' && b.scope.id === long(128, 2));
    expect(one.length).toBeGreaterThan(1);
    expect(one.flatMap((page) => page.budgets.map((b) => b.budgetId)).sort()).toEqual(
      oneScope.map((b) => b.budgetId).sort(),
    );
  });

  it.each([
    [
      'a page past the most',
      () => `limit=${labelBudgetsLimit + 1}`,
      'query.limit',
      `must be from 1 to ${labelBudgetsLimit}`,
    ],
    ['a page of no rows', () => 'limit=0', 'query.limit', `must be from 1 to ${labelBudgetsLimit}`],
    [
      'a limit that is no number',
      () => 'limit=ten',
      'query.limit',
      'must be a whole number written in digits, such as 50',
    ],
    [
      'a cursor this API did not return',
      () => 'cursor=bm90LWEtY3Vyc29y',
      'query.cursor',
      'is not one this API returned',
    ],
    [
      "a cursor of the promoter directory's",
      () => `cursor=${cursorAfter('promoters', ['nachtkonzerte', 'prm-1'])}`,
      'query.cursor',
      'is not one this API returned',
    ],
    [
      "a cursor of another label's budgets",
      () => `cursor=${cursorAfter(keyOf('BUDGETS', 'lbl-other'), ['tour', 't', 'b'])}`,
      'query.cursor',
      'is not one this API returned',
    ],
    [
      'a cursor naming a key DynamoDB refuses (past 1,024 bytes)',
      (own: string) => `cursor=${cursorAfter(own, ['tour', 'x'.repeat(1100), 'b'])}`,
      'query.cursor',
      'is not one this API returned',
    ],
    [
      'a cursor naming a key DynamoDB refuses (a lone surrogate)',
      (own: string) => `cursor=${cursorAfter(own, ['tour', 't\ud800', 'b'])}`,
      'query.cursor',
      'is not one this API returned',
    ],
    [
      'a cursor of another scope than the one asked',
      (own: string) => `scope=tour&scopeId=t&cursor=${cursorAfter(own, ['release', 'r', 'b'])}`,
      'query.cursor',
      'is not one this API returned',
    ],
  ])('answers %s with a 400 naming it', async (_, queryOf, path, message) => {
    const labelId = uniqueId('lbl');
    await dynamoBudgets(documentClient(), cloud().tableName).saveBudget({
      ...BudgetSet.data.parse({ ...BudgetSet.sample, scope: { kind: 'tour', id: 't' } }),
      labelId,
      occurredAt: '2019-01-01T00:00:00.000Z',
    });

    const response = await api(`/labels/${labelId}/budgets?${queryOf(keyOf('BUDGETS', labelId))}`);

    expect(response.status).toBe(400);
    expect(await issuesOf(response)).toEqual([{ path, message }]);
  });
});
