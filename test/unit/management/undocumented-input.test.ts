import { describe, expect, it } from 'vitest';
import { labelRoutes } from '#functions/management/labels.ts';
import { budgetRoutes } from '#functions/office/budgets.ts';
import { unsupportedCharset } from '#shared/http/errors.ts';
import { managementApi } from '#shared/http/manager-api.ts';
import { callApi } from '#test/support/api.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';
import { aLabel, InMemoryLabels } from '#test/support/intake.ts';
import { jobWorld } from '#test/support/jobs.ts';

// docs/design.md#routes-and-auth: a route takes only the input its document states. One that states
// no query parameter (or no body) refuses any with a 400 naming it, as a stated query or body refuses
// a field it does not have, rather than answering as if it had not been sent. A body that carries
// no field is no body: a JSON `null` (clients that serialise "no payload" send it) is taken as the
// empty body and `{}` are.
function api() {
  const labels = new InMemoryLabels(aLabel());
  const budgets = new InMemoryBudgets();
  const handler = managementApi('management', async () => 'key', [
    ...labelRoutes({
      labels,
      jobs: jobWorld({ labels }).routes,
      now: () => new Date('2027-01-05T10:00:00Z'),
    }),
    ...budgetRoutes({
      budgets,
      labels: new InMemoryLabels(),
      now: () => new Date('2027-01-05T12:00:00Z'),
      timeZone: 'UTC',
    }),
  ]);
  const call = async (
    method: string,
    route: string,
    pathParameters: Record<string, string>,
    options: { query?: Record<string, string>; body?: string; contentType?: string | null } = {},
  ) => {
    const result = await callApi(handler, {
      method,
      route,
      pathParameters,
      query: options.query,
      body: options.body,
      // null: sent with no Content-Type.
      headers: options.contentType === undefined ? {} : { 'content-type': options.contentType ?? undefined },
    });
    const body = JSON.parse(result.body ?? '{}');
    // A 400 names its fields (issues); another 4xx says what is wrong in its message.
    return {
      status: result.status,
      issues: body.issues,
      ...(body.issues ? {} : { message: body.message }),
    };
  };
  return { labels, budgets, call };
}

describe('a route that states no query parameters or no body', () => {
  it("answers 400 naming a query parameter it does not take (a budget's ledger's `from`, sent to the budget)", async () => {
    const { call } = api();

    const response = await call(
      'GET',
      '/labels/{labelId}/budgets/{budgetId}',
      { labelId: 'acme', budgetId: 'b-1' },
      { query: { from: '2027-01-01' } },
    );

    expect(response).toEqual({
      status: 400,
      issues: [{ path: 'query.from', message: 'is not a known field' }],
    });
  });

  it('answers 400 naming a body field it does not take, and rotates nothing', async () => {
    const { call, labels } = api();
    const before = structuredClone(labels.items.get('nightshift-records'));

    const response = await call(
      'POST',
      '/labels/{labelId}/secrets/rotate',
      { labelId: 'nightshift-records' },
      { body: JSON.stringify({ graceHours: 48 }) },
    );

    expect(response).toEqual({
      status: 400,
      issues: [{ path: 'graceHours', message: 'is not a known field' }],
    });
    expect(labels.items.get('nightshift-records')).toEqual(before);
  });

  it('answers 400 saying it takes no body for a body that is no object, and rotates nothing', async () => {
    const { call, labels } = api();
    const before = structuredClone(labels.items.get('nightshift-records'));

    const responses = await Promise.all(
      ['48', '[]', '"rotate"'].map((body) =>
        call('POST', '/labels/{labelId}/secrets/rotate', { labelId: 'nightshift-records' }, { body }),
      ),
    );

    expect(responses).toEqual(
      Array(3).fill({ status: 400, issues: [{ path: '', message: 'this route takes no body' }] }),
    );
    expect(labels.items.get('nightshift-records')).toEqual(before);
  });

  it('still takes no body, an empty one or an empty object', async () => {
    const { call } = api();

    const statuses = await Promise.all(
      [undefined, '', '{}'].map(
        async (body) =>
          (
            await call(
              'POST',
              '/labels/{labelId}/secrets/revoke',
              { labelId: 'nightshift-records' },
              { body },
            )
          ).status,
      ),
    );

    expect(statuses).toEqual([200, 200, 200]);
  });
});

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

// A JSON body is read only when it is sent as JSON: `fetch` sends a string as text/plain, and a form
// as application/x-www-form-urlencoded, unless told otherwise (docs/design.md#routes-and-auth).
describe('a route that takes a JSON body, sent as another media type or with none named', () => {
  it('answers 415 naming application/json, and creates no label', async () => {
    const { call, labels } = api();
    const body = JSON.stringify({ name: 'Night Owl', id: 'night-owl' });

    const responses = await Promise.all(
      ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', null].map((contentType) =>
        call('POST', '/labels', {}, { body, contentType }),
      ),
    );

    expect(responses).toEqual(
      Array(3).fill({
        status: 415,
        issues: undefined,
        message: 'Content-Type must be application/json',
      }),
    );
    expect(labels.items.has('night-owl')).toBe(false);
  });

  it('takes JSON with its charset named, or a +json type', async () => {
    const { call, labels } = api();

    const statuses = await Promise.all(
      [
        ['application/json; charset=utf-8', 'night-owl'],
        ['application/merge-patch+json', 'day-owl'],
      ].map(
        async ([contentType, id]) =>
          (await call('POST', '/labels', {}, { body: JSON.stringify({ name: id, id }), contentType })).status,
      ),
    );

    expect(statuses).toEqual([201, 201]);
    expect([labels.items.has('night-owl'), labels.items.has('day-owl')]).toEqual([true, true]);
  });

  it('takes JSON whose charset is UTF-8 by another of its names (utf8), as a webhook is taken', async () => {
    const { call, labels } = api();

    const { status } = await call(
      'POST',
      '/labels',
      {},
      {
        body: JSON.stringify({ name: 'Night Owl', id: 'night-owl' }),
        contentType: 'application/json; charset=utf8',
      },
    );

    expect(status).toBe(201);
    expect(labels.items.has('night-owl')).toBe(true);
  });

  it('answers 415 naming a charset other than UTF-8 or US-ASCII, as a webhook is answered, and keeps nothing', async () => {
    const { call, labels, budgets } = api();
    const label = (contentType: string, id: string) =>
      call('POST', '/labels', {}, { body: JSON.stringify({ name: id, id }), contentType });
    const rates = { rates: { 'GBP/EUR': '1.1700' } };

    const responses = [
      await label('application/json; charset=iso-8859-1', 'night-owl'),
      await label('application/json;charset="ISO-8859-1"', 'day-owl'),
      await call(
        'PUT',
        '/fx-rates/{date}',
        { date: '2027-01-05' },
        { body: JSON.stringify(rates), contentType: 'application/json; charset=windows-1252' },
      ),
    ];

    expect(responses).toEqual(
      ['iso-8859-1', 'iso-8859-1', 'windows-1252'].map((charset) => ({
        status: 415,
        issues: undefined,
        message: unsupportedCharset(charset).message,
      })),
    );
    expect([labels.items.has('night-owl'), labels.items.has('day-owl')]).toEqual([false, false]);
    expect(await budgets.rates('2027-01-05')).toBeUndefined();
  });

  it('on a route that takes no body, takes {} as none whatever it is sent as', async () => {
    const { call } = api();

    const response = await call(
      'POST',
      '/labels/{labelId}/secrets/revoke',
      { labelId: 'nightshift-records' },
      { body: '{}', contentType: 'text/plain' },
    );

    expect(response.status).toBe(200);
  });
});
