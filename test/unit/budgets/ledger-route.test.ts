import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import { HttpError, type HttpEvent, type HttpResult } from '#shared/http/index.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';
import { InMemoryLabels } from '#test/support/intake.ts';

// The ledger's `from`/`to` are validated (a 400 naming the field); its API document should say so.
describe('GET /labels/{labelId}/budgets/{budgetId}/ledger with a date that is not one', () => {
  it('answers 400 naming the field, a status its API document lists', async () => {
    const route = budgetRoutes({
      budgets: new InMemoryBudgets(),
      labels: new InMemoryLabels(),
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
    expect(body.issues).toEqual([expect.objectContaining({ path: 'query.from' })]);
    expect(Object.keys(route.doc.responses)).toContain('400');
  });
});

// The office's query parameters are checked by a strict schema: an unknown one (a misspelt `from`) is
// refused, and the 400 must name it as the query parameter it is, as the management API's routes do
// (`query.foo: is not a known field`), not as the request body with no field.
describe('office routes with a query parameter they do not know', () => {
  const call = async (path: string, queryStringParameters: Record<string, string>) => {
    const route = budgetRoutes({
      budgets: new InMemoryBudgets(),
      labels: new InMemoryLabels(),
      now: () => new Date(),
      timeZone: 'UTC',
    }).find((r) => r.method === 'GET' && r.path === path)!;
    try {
      await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
        pathParameters: { labelId: 'acme', budgetId: 'b1' },
        queryStringParameters,
        headers: {},
        isBase64Encoded: false,
      } as never);
      return { status: 200, body: {} as Record<string, unknown> };
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      return { status: error.status, body: error.body };
    }
  };

  it.each([
    ['/labels/{labelId}/budgets/{budgetId}/ledger', { form: '2027-01-01' }, 'form'],
    ['/labels/{labelId}/budgets', { scopeid: 'tour-1' }, 'scopeid'],
  ])('answers 400 naming the unknown parameter on GET %s, not the body', async (path, query, field) => {
    const { status, body } = await call(path, query);

    expect(status).toBe(400);
    expect(body.issues).toEqual([
      expect.objectContaining({ path: expect.stringMatching(new RegExp(`(^|\\.)${field}$`)) }),
    ]);
    expect(String(body.message)).not.toContain('(body)');
  });
});
