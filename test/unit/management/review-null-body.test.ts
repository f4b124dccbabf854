import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { labelRoutes } from '#functions/management/labels.ts';
import { managementApi } from '#functions/management/routes.ts';
import { budgetRoutes } from '#functions/office/budgets.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';
import { aLabel, InMemoryLabels } from '#test/support/intake.ts';
import { jobWorld } from '#test/support/jobs.ts';

// docs/design.md#routes-and-auth: a route that states no body refuses a body with a field in it, while
// a body that carries none is no body. A JSON `null` carries no field (clients that serialise "no
// payload" send it), and was taken before 1328db0 as the empty body and `{}` still are.
function api() {
  const labels = new InMemoryLabels(aLabel());
  const handler = managementApi('management', async () => 'key', [
    ...labelRoutes({
      labels,
      jobs: jobWorld({ labels }).routes,
      now: () => new Date('2027-01-05T10:00:00Z'),
    }),
    ...budgetRoutes({
      budgets: new InMemoryBudgets(),
      now: () => new Date('2027-01-05T12:00:00Z'),
      timeZone: 'UTC',
    }),
  ]);
  const call = async (
    method: string,
    route: string,
    pathParameters: Record<string, string>,
    options: { query?: Record<string, string>; body?: string } = {},
  ) => {
    const path = route.replace(/\{(\w+)\}/g, (_, name: string) => pathParameters[name]);
    const result = (await handler(
      {
        version: '2.0',
        routeKey: `${method} ${route}`,
        rawPath: path,
        rawQueryString: new URLSearchParams(options.query).toString(),
        headers: { authorization: 'Bearer key', 'content-type': 'application/json' },
        queryStringParameters: options.query,
        requestContext: { http: { method, path } },
        pathParameters,
        body: options.body,
        isBase64Encoded: false,
      } as unknown as HttpEvent,
      {
        getRemainingTimeInMillis: () => 10_000,
        awsRequestId: 'r',
        functionName: 'management',
      } as unknown as Context,
    )) as HttpResult;
    return { status: result.statusCode, issues: JSON.parse(result.body ?? '{}').issues };
  };
  return { labels, call };
}

describe('a route that states no body, sent a JSON null', () => {
  it('takes it as no body, as it takes an empty body or {}, and revokes', async () => {
    const { call } = api();

    const response = await call(
      'POST',
      '/labels/{labelId}/secrets/revoke',
      { labelId: 'nightshift-records' },
      { body: 'null' },
    );

    expect(response).toEqual({ status: 200, issues: undefined });
  });
});
