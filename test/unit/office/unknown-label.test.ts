import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/office/handler.ts';
import { callApi } from '#test/support/api.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';
import { aLabel, InMemoryLabels } from '#test/support/intake.ts';
import { InMemoryTours } from '#test/support/tours.ts';

/**
 * The office's routes under `/labels/{labelId}` answer a label that does not exist with 404 `label not
 * found`, as the management function's label routes do: a mistyped label id is not told it has no
 * budgets, nor that its budget or tour is missing (docs/design.md#routes-and-auth).
 */
const known = aLabel({ labelId: 'acme' });

const office = () => {
  const labels = new InMemoryLabels(known);
  const now = () => new Date('2027-01-05T12:00:00Z');
  const handler = makeHandler({
    apiKey: async () => 'key',
    budgets: { budgets: new InMemoryBudgets(), labels, now, timeZone: 'UTC' },
    tours: {
      tours: new InMemoryTours(),
      labels,
      tourManagerLink: async () => 'https://tm',
      reached: async (mails) => mails.map(() => undefined),
      now,
    },
  });
  /** `route` with `{labelId}` and the route's other ids filled in, through the API, middleware included. */
  return async (method: 'GET' | 'POST', route: string, labelId: string, body?: unknown) => {
    const result = await callApi(handler, {
      method,
      route,
      pathParameters: { labelId, budgetId: 'b1', artistId: 'art-1', tourId: 't1', showId: 's1' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: result.status, message: JSON.parse(result.body ?? '{}').message };
  };
};

const guests = { guests: [{ name: 'Alex Doe' }] };

describe("the office's lists under a label", () => {
  it.each(['/labels/{labelId}/budgets', '/labels/{labelId}/artists/{artistId}/recoupable'])(
    'answers %s of a label that does not exist with 404 label not found, not an empty list',
    async (route) => {
      const call = office();

      const unknown = await call('GET', route, 'nope');
      const empty = await call('GET', route, known.labelId);

      expect(unknown).toEqual({ status: 404, message: 'label not found' });
      expect(empty.status).toBe(200);
    },
  );
});

describe("the office's items under a label", () => {
  it.each([
    ['GET', '/labels/{labelId}/budgets/{budgetId}', 'budget'],
    ['GET', '/labels/{labelId}/budgets/{budgetId}/ledger', 'budget'],
    ['GET', '/labels/{labelId}/budgets/{budgetId}/unconverted', 'budget'],
    ['GET', '/labels/{labelId}/budgets/{budgetId}/refused', 'budget'],
    ['GET', '/labels/{labelId}/budgets/{budgetId}/possible-duplicates', 'budget'],
    ['GET', '/labels/{labelId}/budgets/{budgetId}/drift-history', 'budget'],
    ['GET', '/labels/{labelId}/tours/{tourId}', 'tour'],
    ['GET', '/labels/{labelId}/tours/{tourId}/itinerary.ics', 'tour'],
    ['GET', '/labels/{labelId}/tours/{tourId}/shows/{showId}', 'tour'],
    ['POST', '/labels/{labelId}/tours/{tourId}/shows/{showId}/guests', 'tour'],
  ] as const)(
    'answers %s %s of a label that does not exist with 404 label not found, and of a known one %s not found',
    async (method, route, item) => {
      const call = office();
      const body = method === 'POST' ? guests : undefined;

      const unknown = await call(method, route, 'nope', body);
      const missing = await call(method, route, known.labelId, body);

      expect(unknown).toEqual({ status: 404, message: 'label not found' });
      expect(missing).toEqual({ status: 404, message: `${item} not found` });
    },
  );
});
