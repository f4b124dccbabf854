import { describe, expect, it } from 'vitest';
import { ledgerPageLimit } from '#functions/office/budgets.ts';
import { callApi } from '#test/support/api.ts';
import { officeBudgetsApi } from '#test/support/budgets.ts';

// docs/design.md#routes-and-auth: an invalid input is named by where it came from, one way on every
// route: `path.date` for a path's, `query.scope` for a query's, a body's field by its own name.
const office = officeBudgetsApi();

const get = async (
  route: string,
  pathParameters: Record<string, string>,
  query?: Record<string, string | string[]>,
) => {
  const result = await callApi(office, { method: 'GET', route, pathParameters, query });
  return { status: result.status, issues: JSON.parse(result.body ?? '{}').issues };
};

describe('the name a 400 gives an invalid input', () => {
  it('names a path parameter path.<name>, as a query parameter is query.<name>', async () => {
    const date = await get('/fx-rates/{date}', { date: '2003-02-30' });
    const labelId = await get('/labels/{labelId}/budgets', { labelId: 'l'.repeat(129) });
    const scope = await get('/labels/{labelId}/budgets', { labelId: 'acme' }, { scope: 'world' });

    expect(date).toEqual({ status: 400, issues: [{ path: 'path.date', message: expect.any(String) }] });
    expect(labelId).toEqual({
      status: 400,
      issues: [{ path: 'path.labelId', message: 'must be at most 128 characters' }],
    });
    expect(scope).toEqual({ status: 400, issues: [{ path: 'query.scope', message: expect.any(String) }] });
  });

  it('names a query parameter given more than once as such, rather than judging the values an HTTP API joined with a comma', async () => {
    const ids = { labelId: 'acme', budgetId: 'b1' };
    const limit = await get('/labels/{labelId}/budgets/{budgetId}/ledger', ids, { limit: ['1', '2'] });
    const scope = await get('/labels/{labelId}/budgets', { labelId: 'acme' }, { scope: ['release', 'tour'] });
    const dates = await get('/labels/{labelId}/budgets/{budgetId}/ledger', ids, {
      from: ['2027-01-01', '2027-01-02'],
      limit: '0',
    });
    // A value that holds a comma itself is judged as it is.
    const comma = await get('/labels/{labelId}/budgets/{budgetId}/ledger', ids, { limit: '1,2' });
    // A route that takes no query parameters: unknown, however often.
    const unknown = await get('/fx-rates/{date}', { date: '2027-01-05' }, { x: ['1', '2'] });

    const once = 'was given more than once: give it once';
    expect(limit).toEqual({ status: 400, issues: [{ path: 'query.limit', message: once }] });
    expect(scope).toEqual({ status: 400, issues: [{ path: 'query.scope', message: once }] });
    expect(dates.issues).toEqual([
      { path: 'query.from', message: once },
      { path: 'query.limit', message: `must be from 1 to ${ledgerPageLimit}` },
    ]);
    expect(comma).toEqual({
      status: 400,
      issues: [{ path: 'query.limit', message: 'must be a whole number written in digits, such as 50' }],
    });
    expect(unknown).toEqual({ status: 400, issues: [{ path: 'query.x', message: 'is not a known field' }] });
  });
});
