import { describe, expect, it } from 'vitest';
import { callApi } from '#test/support/api.ts';
import { InMemoryBudgets, officeBudgetsApi } from '#test/support/budgets.ts';

// docs/design.md#routes-and-auth: every JSON body of the manager's API is closed down to its nested
// objects; an unknown field is a 400 naming it where it stands, and changes nothing. JSON.parse keeps
// a `__proto__` key as the body's own, but a record (a day's rates, keyed by pair) drops it unseen.
function office() {
  const budgets = new InMemoryBudgets();
  const handler = officeBudgetsApi({ budgets });
  const put = async (date: string, body: string) => {
    const result = await callApi(handler, {
      method: 'PUT',
      route: '/fx-rates/{date}',
      pathParameters: { date },
      body,
    });
    return { status: result.status, issues: JSON.parse(result.body ?? '{}').issues };
  };
  return { budgets, put };
}

describe("a day's exchange rates with a pair named __proto__", () => {
  it('answers 400 naming it, and puts no rate of the day', async () => {
    const { budgets, put } = office();

    const response = await put('2027-01-05', '{"rates":{"GBP/USD":"1.2534","__proto__":"1.1"}}');

    expect(response).toEqual({
      status: 400,
      issues: [{ path: 'rates.__proto__', message: 'is not a known field' }],
    });
    expect(await budgets.rates('2027-01-05')).toBeUndefined();
  });
});

describe('a body nested deeper than a walk by recursion can go', () => {
  it('answers 400 naming the field, where a recursive look for `__proto__` keys overflowed the stack, and puts no rate', async () => {
    const { budgets, put } = office();
    // JSON.parse reads 10,000 nested arrays; a function calling itself a level at a time does not.
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;

    const response = await put('2027-01-05', `{"rates":{"GBP/USD":${deep}}}`);

    expect(response.status).toBe(400);
    expect(response.issues.map((issue: { path: string }) => issue.path)).toEqual(['rates.GBP/USD']);
    expect(await budgets.rates('2027-01-05')).toBeUndefined();
  });
});
