import { describe, expect, it } from 'vitest';
import { budgetRoutes, RatesBody } from '#functions/office/budgets.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';
import { InMemoryLabels } from '#test/support/intake.ts';

// A pair serves both directions (functions/office/budgets.ts): a table giving both directions of one
// pair could convert at two unrelated rates, so it is a 400 naming the pair and changes nothing.
describe('PUT /fx-rates/{date} with both directions of one pair', () => {
  it('is refused with a 400 naming the pair, and keeps nothing', async () => {
    const budgets = new InMemoryBudgets();
    const route = budgetRoutes({
      budgets,
      labels: new InMemoryLabels(),
      now: () => new Date('2027-01-05T12:00:00Z'),
      timeZone: 'UTC',
    }).find((r) => r.method === 'PUT' && r.path === '/fx-rates/{date}')!;
    let status: number;
    try {
      status = (
        await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
          pathParameters: { date: '2027-01-05' },
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ rates: { 'GBP/USD': '1.25', 'USD/GBP': '0.5' } }),
          isBase64Encoded: false,
        } as never)
      ).statusCode!;
    } catch (error) {
      status = (error as { status?: number }).status ?? 500;
    }
    expect({ status, kept: await budgets.rates('2027-01-05') }).toEqual({ status: 400, kept: undefined });
  });
});

// docs/openapi.json is generated from each route's documented schemas; a client that checks answers
// against it (its objects allow no other property) must be able to read what the route answers.
describe('PUT and GET /fx-rates/{date} as the API document describes them', () => {
  it('answer only the fields their documented 200 schema lists', async () => {
    const { readFileSync } = await import('node:fs');
    const document = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));
    const routes = budgetRoutes({
      budgets: new InMemoryBudgets(),
      labels: new InMemoryLabels(),
      now: () => new Date('2027-01-05T12:00:00Z'),
      timeZone: 'UTC',
    });
    for (const method of ['PUT', 'GET'] as const) {
      const route = routes.find((r) => r.method === method && r.path === '/fx-rates/{date}')!;
      const result = await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
        pathParameters: { date: '2027-01-05' },
        headers: { 'content-type': 'application/json' },
        body: method === 'PUT' ? JSON.stringify({ rates: { 'GBP/USD': '1.25' } }) : undefined,
        isBase64Encoded: false,
      } as never);
      const schema = document.paths['/fx-rates/{date}'][method.toLowerCase()].responses['200'].content[
        'application/json'
      ].schema as { properties: Record<string, unknown>; additionalProperties?: boolean };
      const undocumented = Object.keys(JSON.parse(result.body!)).filter(
        (field) => !(field in schema.properties),
      );

      expect({ method, undocumented }).toEqual({ method, undocumented: [] });
    }
  });
});

// The rate table's body is closed (docs/design.md#routes-and-auth): a field it does not have is a
// 400 naming it, never a 200 that keeps the rates and drops what the manager meant.
describe('PUT /fx-rates/{date} with a field the body does not have', () => {
  it('is refused with a 400 naming the field, and keeps nothing', async () => {
    const budgets = new InMemoryBudgets();
    const route = budgetRoutes({
      budgets,
      labels: new InMemoryLabels(),
      now: () => new Date('2027-01-05T12:00:00Z'),
      timeZone: 'UTC',
    }).find((r) => r.method === 'PUT' && r.path === '/fx-rates/{date}')!;

    const answer = await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
      pathParameters: { date: '2027-01-05' },
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rates: { 'GBP/USD': '1.25' }, date: '2027-01-06' }),
      isBase64Encoded: false,
    } as never).then(
      (result) => ({ status: result.statusCode, body: JSON.parse(result.body!) }),
      (error: { status?: number; body?: unknown }) => ({ status: error.status ?? 500, body: error.body }),
    );

    expect(answer).toEqual({
      status: 400,
      body: expect.objectContaining({ issues: [{ path: 'date', message: 'is not a known field' }] }),
    });
    expect(await budgets.rates('2027-01-05')).toBeUndefined();
    expect(await budgets.rates('2027-01-06')).toBeUndefined();
  });
});

// A currency's rate to itself is 1: `GBP/GBP` is told so, not that it is no pair of ISO 4217 codes.
describe('PUT /fx-rates/{date} with a currency paired with itself', () => {
  it('names the pair: must be two different currencies', () => {
    const parsed = RatesBody.safeParse({ rates: { 'GBP/GBP': '1', 'GBP/XYZ': '2' } });

    expect(parsed.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['rates.GBP/GBP', 'must be two different currencies'],
      ['rates.GBP/XYZ', 'must be a pair of two ISO 4217 codes such as GBP/USD'],
    ]);
  });
});
