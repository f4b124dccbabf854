import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import { HttpError, type HttpEvent, type HttpResult } from '#shared/http/index.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';

// The ledger's `from`/`to` are validated (a 400 naming the field); its API document should say so.
describe('GET /labels/{labelId}/budgets/{budgetId}/ledger with a date that is not one', () => {
  it('answers 400 naming the field, a status its API document lists', async () => {
    const route = budgetRoutes({
      budgets: new InMemoryBudgets(),
      now: () => new Date(),
      timeZone: 'UTC',
    }).find((r) => r.method === 'GET' && r.path === '/labels/{labelId}/budgets/{budgetId}/ledger')!;
    let status: number;
    let body: Record<string, unknown> = {};
    try {
      status = (
        await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
          pathParameters: { labelId: 'acme', budgetId: 'b1' },
          queryStringParameters: { from: '2027-13-01' },
          headers: {},
          isBase64Encoded: false,
        } as never)
      ).statusCode!;
    } catch (error) {
      status = error instanceof HttpError ? error.status : 500;
      body = error instanceof HttpError ? error.body : {};
    }

    expect(status).toBe(400);
    expect(body.issues).toEqual([expect.objectContaining({ path: 'from' })]);
    expect(Object.keys(route.doc.responses)).toContain('400');
  });
});
