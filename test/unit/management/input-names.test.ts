import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { managementApi } from '#functions/management/routes.ts';
import { budgetRoutes } from '#functions/office/budgets.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';
import { InMemoryLabels } from '#test/support/intake.ts';

// docs/design.md#routes-and-auth: an invalid input is named by where it came from, one way on every
// route: `path.date` for a path's, `query.scope` for a query's, a body's field by its own name.
const office = managementApi(
  'office',
  async () => 'key',
  budgetRoutes({
    budgets: new InMemoryBudgets(),
    labels: new InMemoryLabels(),
    now: () => new Date('2027-01-05T12:00:00Z'),
    timeZone: 'UTC',
  }),
);

const get = async (
  routeKey: string,
  pathParameters: Record<string, string>,
  query?: Record<string, string>,
) => {
  const path = routeKey.replace(/\{(\w+)\}/g, (_, name: string) => pathParameters[name]);
  const result = (await office(
    {
      version: '2.0',
      routeKey: `GET ${routeKey}`,
      rawPath: path,
      rawQueryString: new URLSearchParams(query).toString(),
      headers: { authorization: 'Bearer key' },
      queryStringParameters: query,
      requestContext: { http: { method: 'GET', path } },
      pathParameters,
      isBase64Encoded: false,
    } as unknown as HttpEvent,
    {
      getRemainingTimeInMillis: () => 10_000,
      awsRequestId: 'r',
      functionName: 'office',
    } as unknown as Context,
  )) as HttpResult;
  return { status: result.statusCode, issues: JSON.parse(result.body ?? '{}').issues };
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
});
