import { describe, expect, it } from 'vitest';
import { callApi } from '#test/support/api.ts';
import { officeBudgetsApi } from '#test/support/budgets.ts';

// docs/design.md#routes-and-auth: a 400 names the field and the rule its value breaks, in the manager's
// terms: a paging limit is a whole number in decimal digits, a day is YYYY-MM-DD.
const office = officeBudgetsApi();

const ledger = { labelId: 'acme', budgetId: 'b1' };

const call = async (
  method: string,
  route: string,
  pathParameters: Record<string, string>,
  query?: Record<string, string>,
  body?: string,
) => {
  const result = await callApi(office, { method, route, pathParameters, query, body });
  return { status: result.status, issues: JSON.parse(result.body ?? '{}').issues };
};

describe("a query's whole number and a day, as the manager's API reads them", () => {
  it('says an empty limit is empty, not what zod says of the number it made of it', async () => {
    const empty = await call('GET', '/labels/{labelId}/budgets/{budgetId}/ledger', ledger, { limit: '' });
    expect(empty).toEqual({
      status: 400,
      issues: [{ path: 'query.limit', message: 'is empty: give a value, or leave it out' }],
    });
  });

  it('refuses a limit not written in decimal digits (1e1, 0x10, " 5")', async () => {
    for (const limit of ['1e1', '0x10', ' 5', '+5', '5.0', '0b11']) {
      const answer = await call('GET', '/labels/{labelId}/budgets/{budgetId}/ledger', ledger, { limit });
      expect(answer, limit).toEqual({
        status: 400,
        issues: [{ path: 'query.limit', message: 'must be a whole number written in digits, such as 50' }],
      });
    }
  });

  it('takes a limit in digits, a leading zero too', async () => {
    for (const limit of ['5', '010', '400']) {
      const answer = await call('GET', '/labels/{labelId}/budgets/{budgetId}/ledger', ledger, { limit });
      expect(answer.status, limit).not.toBe(400);
    }
  });

  it('says what a day in a path or a query must be: YYYY-MM-DD', async () => {
    const wanted = 'must be a date as YYYY-MM-DD';
    const put = await call('PUT', '/fx-rates/{date}', { date: '5 Jan 2027' }, undefined, '{"rates":{}}');
    const get = await call('GET', '/fx-rates/{date}', { date: '2027-02-30' });
    const from = await call('GET', '/labels/{labelId}/budgets/{budgetId}/ledger', ledger, {
      from: '2027/01/01',
    });
    const to = await call('GET', '/labels/{labelId}/budgets/{budgetId}/ledger', ledger, { to: '' });

    expect(put).toEqual({ status: 400, issues: [{ path: 'path.date', message: wanted }] });
    expect(get).toEqual({ status: 400, issues: [{ path: 'path.date', message: wanted }] });
    expect(from).toEqual({ status: 400, issues: [{ path: 'query.from', message: wanted }] });
    expect(to).toEqual({
      status: 400,
      issues: [{ path: 'query.to', message: 'is empty: give a value, or leave it out' }],
    });
  });
});
