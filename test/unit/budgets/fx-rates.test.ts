import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';

// A pair serves both directions (functions/office/budgets.ts): a table giving both directions of one
// pair could convert at two unrelated rates, so it is a 400 naming the pair and changes nothing.
describe('PUT /fx-rates/{date} with both directions of one pair', () => {
  it('is refused with a 400 naming the pair, and keeps nothing', async () => {
    const budgets = new InMemoryBudgets();
    const route = budgetRoutes({
      budgets,
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
