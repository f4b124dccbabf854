import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { releaseRoutes } from '#functions/management/releases.ts';
import { csvCell, toCsv } from '#shared/csv.ts';
import { type Delivery, mailSubjects } from '#shared/db/deliveries.ts';
import { InvalidCursorError } from '#shared/db/keys.ts';
import {
  type HttpError,
  type HttpEvent,
  type HttpResult,
  preferredMediaType,
  type ValidationError,
} from '#shared/http/index.ts';
import type { StoredRelease } from '#shared/releases.ts';
import { aLabel, InMemoryLabels } from '#test/support/intake.ts';

const formulaStart = /^[=+\-@\t\r]/;

describe('CSV cells', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
    ['Nightshift Records', 'Nightshift Records'],
  ])('writes %j as a cell a spreadsheet reads as text', (value, cell) => {
    const written = csvCell(value);

    expect(written).toBe(cell);
  });

  it('reads back every text as itself, or with a leading quote when it would start a formula', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), (cells) => {
        const columns = cells.map((_, index) => `c${index}`);
        const row = Object.fromEntries(cells.map((cell, index) => [`c${index}`, cell]));

        const [, parsed] = parse(toCsv(columns, [row]), { relaxColumnCount: false }) as string[][];

        parsed.forEach((cell, index) => {
          expect(formulaStart.test(cell)).toBe(false);
          const started = formulaStart.test(cells[index]) ? `'${cells[index]}` : cells[index];
          expect(cell).toBe(started.replace(/;(?=[=+\-@\t\r])/g, ";'"));
        });
      }),
    );
  });

  it('starts no formula where a spreadsheet splits the lines at semicolons', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), (cells) => {
        const columns = cells.map((_, index) => `c${index}`);
        const row = Object.fromEntries(cells.map((cell, index) => [`c${index}`, cell]));
        const [, line = ''] = toCsv(columns, [row]).split('\r\n');

        for (const piece of line.split(';')) expect(formulaStart.test(piece.replace(/^"/, ''))).toBe(false);
      }),
    );
    expect(csvCell("x;=cmd|' /C calc'!A0;")).toBe("x;'=cmd|' /C calc'!A0;");
  });
});

describe('the deliveries export', () => {
  const release = { labelId: 'nightshift', releaseId: 'rel-1', state: 'scheduled' } as StoredRelease;
  const delivery: Delivery = {
    deliveryId: 'd1',
    labelId: 'nightshift',
    subject: mailSubjects.release('rel-1'),
    stream: 'campaign',
    context: { outletId: 'out-1' },
    kind: 'announcement',
    email: 'editor@magazine.example',
    status: 'failed',
    claimedAt: '2027-01-05T10:00:00.000Z',
    updatedAt: '2027-01-05T10:00:01.000Z',
    failure: '=cmd|"/c calc"!A1',
  };
  // Three deliveries, paged by their index as a cursor (the store's own paging is tested on DynamoDB Local).
  const three = ['d1', 'd2', 'd3'].map((deliveryId) => ({ ...delivery, deliveryId }));
  const route = releaseRoutes({
    getRelease: async () => release,
    deliveries: async () => three,
    deliveriesPage: async (_labelId, _releaseId, { limit, cursor }) => {
      if (cursor !== undefined && !/^\d+$/.test(cursor))
        throw new InvalidCursorError('cursor is not one this API returned');
      const from = Number(cursor ?? 0);
      const next = from + limit;
      return {
        deliveries: three.slice(from, next),
        ...(next < three.length ? { nextCursor: String(next) } : {}),
      };
    },
    promoAccesses: async () => new Map(),
    labels: new InMemoryLabels(aLabel({ labelId: 'nightshift' })),
  }).find((r) => r.path.endsWith('/deliveries'))!;
  const get = (accept: string, query?: Record<string, string>) =>
    (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
      headers: { accept },
      rawPath: '/labels/nightshift/releases/rel-1/deliveries',
      pathParameters: { labelId: 'nightshift', releaseId: 'rel-1' },
      queryStringParameters: query,
    } as unknown as HttpEvent);

  it('answers CSV to Accept: text/csv, with text from outside neutralised', async () => {
    const response = await get('text/csv');

    const [header, row] = parse(response.body!) as string[][];
    expect(response.headers?.['content-type']).toBe('text/csv; charset=utf-8');
    expect(row[header.indexOf('failure')]).toBe(`'=cmd|"/c calc"!A1`);
    expect(row[header.indexOf('email')]).toBe('editor@magazine.example');
  });

  it('still answers JSON by default, with the text as it is', async () => {
    const response = await get('application/json');

    expect(JSON.parse(response.body!).deliveries[0].failure).toBe('=cmd|"/c calc"!A1');
  });

  it.each([
    ['text/csv;q=0', 'application/json'],
    ['text/csv; q=0.0, application/json;q=0.1', 'application/json'],
    ['text/csv;q=0.5, application/json', 'application/json'],
    ['application/json;q=0.5, text/csv', 'text/csv; charset=utf-8'],
    ['text/*', 'text/csv; charset=utf-8'],
    ['*/*', 'application/json'],
    ['TEXT/CSV;Q=1', 'text/csv; charset=utf-8'],
  ])(
    'answers Accept: %s as RFC 9110 weighs it, with %s (q=0: not acceptable)',
    async (accept, contentType) => {
      const response = await get(accept);

      expect(response.headers?.['content-type']).toBe(contentType);
    },
  );

  it('answers a page at a time: the next page’s cursor in JSON, its link in CSV; a bad limit or cursor is a 400', async () => {
    const first = JSON.parse((await get('application/json', { limit: '2' })).body!);
    const last = JSON.parse((await get('application/json', { limit: '2', cursor: first.nextCursor })).body!);
    const csv = await get('text/csv', { limit: '2' });
    const rejected = await Promise.allSettled([
      get('application/json', { limit: '0' }),
      get('application/json', { limit: '1001' }),
      get('application/json', { cursor: 'made-up' }),
    ]);

    expect(first.deliveries).toHaveLength(2);
    expect(first.nextCursor).toBe('2');
    expect(last).toEqual({ deliveries: [expect.objectContaining({ email: delivery.email })] });
    expect(csv.headers?.link).toBe(
      '</labels/nightshift/releases/rel-1/deliveries?limit=2&cursor=2>; rel="next"',
    );
    expect(
      rejected.map((outcome) =>
        outcome.status === 'rejected'
          ? [(outcome.reason as HttpError).status, (outcome.reason as ValidationError).issues[0].path]
          : 'answered',
      ),
    ).toEqual([
      [400, 'query.limit'],
      [400, 'query.limit'],
      [400, 'query.cursor'],
    ]);
  });
});

describe('the media type an Accept prefers', () => {
  const offered = ['application/json', 'text/csv'];

  it.each([
    [undefined, 'application/json'],
    ['', 'application/json'],
    ['text/csv;q=abc', undefined],
    ['text/csv;x="a,b;c";q=0, application/json;q=0', undefined],
    ['text/csv;q=1.5, application/json;q=0.1', 'application/json'],
    ['text/*;q=0.9, text/csv;q=0', undefined],
    ['*/*;q=0.1, text/csv', 'text/csv'],
  ])('weighs Accept %j as RFC 9110 does: %s', (accept, type) => {
    const preferred = preferredMediaType(accept, offered);

    expect(preferred).toBe(type);
  });

  it('answers one of the types offered, or none, whatever the header holds', () => {
    fc.assert(
      fc.property(fc.string(), (accept) => {
        const preferred = preferredMediaType(accept, offered);

        expect(preferred === undefined || offered.includes(preferred)).toBe(true);
      }),
    );
  });
});
