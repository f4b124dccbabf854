import fc from 'fast-check';
import { expect } from 'vitest';
import { cursorAfter } from '#shared/http/cursor.ts';
import type { DocumentedRoute } from '#shared/http/docs.ts';
import { type ApiAnswer, type ApiRequest, callApi } from './api.ts';

/**
 * Random and mutated requests to a function's routes, as its route list states them (the list the API
 * document is generated from): any route, its path parameters known ids or odd ones, query parameters it
 * states and others, a body mutated from one it takes (or random bytes), sent as JSON, as a form, as
 * something else or as nothing. docs/design.md#routes-and-auth: bad input is a 4xx, never a 5xx, and
 * changes nothing.
 */

/** Text a client may send where an id, a date, a number or a name is wanted. */
const oddText = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'é',
    'e\u0301',
    '\u202e',
    '%',
    '%E9',
    '%zz',
    '%2F',
    '..',
    '.ics',
    'x.ics',
    'a/b',
    '__proto__',
    'constructor',
    'toString',
    'null',
    'NaN',
    '-1',
    '0',
    '1e400',
    '0x10',
    '2027-02-30',
    '2027-13-01',
    '0000-01-01',
    '2027-01-05T10:00:00',
    '+275760-09-13T00:00:00Z',
    '2027-01-05T10:00:00Z',
    '+275760-09-13T00:00:00.001Z',
    '-271821-04-19T23:59:59Z',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999-14:00',
    '2027-01-05T24:00:00Z',
    '2027-01-05T10:00:00+25:00',
    '2027-01-05T10:00:00.1234567890Z',
    '99999999999999999999',
    'a'.repeat(128),
    'a'.repeat(129),
    'a'.repeat(3000),
    'a'.repeat(7000),
  ),
  fc.string({ maxLength: 12, unit: 'grapheme' }),
  fc.string({ maxLength: 12, unit: 'binary' }),
);

/** A path parameter: a known id (so the route reads on), one with more after it, or odd text; no lone surrogate, which no URL decodes to. */
const pathValue = (known: readonly string[]) =>
  fc
    .oneof(
      { arbitrary: fc.constantFrom(...known), weight: 6 },
      {
        arbitrary: fc
          .tuple(fc.constantFrom(...known), fc.constantFrom('.ics', '/', '//', '/x', '%20', '\u0000'))
          .map(([id, tail]) => `${id}${tail}`),
        weight: 1,
      },
      { arbitrary: oddText, weight: 2 },
    )
    .filter((value) => value.isWellFormed());

/**
 * A cursor: one a listing of `listings` could have returned (its row's parts odd, or too few or many),
 * one of a store's own (`{"after":...}`), or none this API makes.
 */
const cursorValue = (listings: readonly string[]) =>
  fc.oneof(
    fc
      .tuple(
        fc.constantFrom(...listings),
        fc.array(fc.oneof(oddText, fc.constantFrom('2027-01-05', 'acme')), { maxLength: 5 }),
      )
      .map(([listing, row]) => cursorAfter(listing, row)),
    oddText.map((after) => Buffer.from(JSON.stringify({ after })).toString('base64url')),
    fc.jsonValue({ maxDepth: 2 }).map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
    oddText,
  );

const queryValue = (listings: readonly string[]) =>
  fc.oneof(
    oddText,
    cursorValue(listings),
    fc.nat({ max: 2000 }).map(String),
    fc.constantFrom(
      '2027-01-01',
      '2027-12-31',
      'label',
      'budget',
      'tour',
      'artist',
      'submitted',
      'amended',
      'show-1',
      '1',
      '2',
    ),
  );

/** Query parameters: those the route states, and others (a misspelt one, `__proto__`), some given twice. */
const queryOf = (route: DocumentedRoute, listings: readonly string[]) => {
  const value = queryValue(listings);
  const stated = Object.keys(route.doc.query?.shape ?? {});
  const name = fc.oneof(
    ...(stated.length > 0 ? [{ arbitrary: fc.constantFrom(...stated), weight: 4 }] : []),
    {
      arbitrary: fc.constantFrom(
        'limit',
        'cursor',
        'from',
        'to',
        '__proto__',
        'constructor',
        'hasOwnProperty',
        'page',
        'saved',
        'added',
        'advance',
      ),
      weight: 1,
    },
    { arbitrary: fc.string({ minLength: 1, maxLength: 6 }).filter((s) => s.isWellFormed()), weight: 1 },
  );
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 2 },
    {
      arbitrary: fc.dictionary(name, fc.oneof(value, fc.array(value, { minLength: 2, maxLength: 3 })), {
        minKeys: 1,
        maxKeys: 4,
      }),
      weight: 1,
    },
  );
};

/** Every place in a JSON value, as the keys leading to it. */
const placesIn = (value: unknown, at: (string | number)[] = []): (string | number)[][] =>
  typeof value === 'object' && value !== null
    ? Object.entries(value).flatMap(([key, child]) => [
        [...at, Array.isArray(value) ? Number(key) : key],
        ...placesIn(child, [...at, Array.isArray(value) ? Number(key) : key]),
      ])
    : [];

/** The places in a JSON value that hold an object (the value itself among them), where a field may be added. */
const objectsIn = (value: unknown): (string | number)[][] =>
  [[], ...placesIn(value)].filter((at) => {
    const held = at.reduce<unknown>(
      (parent, key) => (parent as Record<string | number, unknown>)[key],
      value,
    );
    return typeof held === 'object' && held !== null && !Array.isArray(held);
  });

/** `value` with the place at `at` given `replaced` (dropped when undefined). */
function replacedAt(value: unknown, at: (string | number)[], replaced: unknown): unknown {
  if (at.length === 0) return replaced;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = at[at.length - 1];
  if (replaced === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = replaced;
  return copy;
}

const oddValue = fc.oneof(
  oddText,
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(-1, 0, 1.5, 1e21, Number.MAX_SAFE_INTEGER + 2, true, null, [], {}),
);

/**
 * A body mutated from `example` (one the route takes): as it is, a place in it changed, dropped or
 * joined by an unknown field, or a JSON value instead of it.
 */
export const mutatedFrom = (example: unknown) => {
  const places = placesIn(example);
  const objects = objectsIn(example);
  return fc.oneof(
    { arbitrary: fc.constant(example), weight: 3 },
    ...(places.length > 0
      ? [
          fc
            .tuple(fc.constantFrom(...places), fc.option(oddValue, { nil: undefined }))
            .map(([at, value]) => replacedAt(example, at, value)),
        ]
      : []),
    ...(objects.length > 0
      ? [
          fc
            .tuple(fc.constantFrom(...objects), fc.string({ maxLength: 8 }), oddValue)
            .map(([at, key, value]) => replacedAt(example, [...at, key], value)),
        ]
      : []),
    fc.jsonValue({ maxDepth: 3 }),
  );
};

/** A body's fields as a form, percent-encoded as a browser posts it, or raw in `encoding`. */
const formOf = (body: unknown, encoding?: BufferEncoding): Buffer => {
  if (typeof body !== 'object' || body === null) return Buffer.from(String(body));
  const pairs = Object.entries(body).map(([name, value]): [string, string] => [
    name,
    typeof value === 'string' ? value : JSON.stringify(value),
  ]);
  return encoding
    ? Buffer.from(pairs.map((pair) => pair.join('=')).join('&'), encoding)
    : Buffer.from(new URLSearchParams(pairs).toString());
};

/** A body's bytes: as JSON or as a form, in UTF-8 or a charset a client may wrongly use, text as it is, or random bytes. */
const bytesOf = (body: unknown, form: boolean) =>
  fc.oneof(
    {
      arbitrary: fc
        .constantFrom<BufferEncoding>('utf8', 'utf8', 'utf8', 'latin1', 'utf16le')
        .map((encoding) => Buffer.from(JSON.stringify(body) ?? '', encoding)),
      weight: form ? 1 : 4,
    },
    {
      arbitrary: fc
        .constantFrom<BufferEncoding | undefined>(undefined, undefined, 'utf8', 'latin1')
        .map((encoding) => (typeof body === 'string' ? Buffer.from(body, encoding) : formOf(body, encoding))),
      weight: form ? 4 : 1,
    },
    { arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)), weight: 1 },
    // Behind a byte order mark, as a spreadsheet or an editor on Windows writes one.
    {
      arbitrary: fc
        .constantFrom([0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff])
        .map((mark) =>
          Buffer.concat([
            Buffer.from(mark),
            typeof body === 'string' ? Buffer.from(body) : Buffer.from(JSON.stringify(body) ?? ''),
          ]),
        ),
      weight: 1,
    },
  );

const anyContentType = fc.constantFrom(
  'application/json',
  'APPLICATION/JSON',
  'application/problem+json',
  'application/json; charset=us-ascii',
  'application/json; charset="utf-8',
  'application/json; charset=utf-8; charset=latin1',
  'text/csv; charset=utf-16',
  'text/csv; charset=bogus',
  'text/csv; charset=us-ascii',
  'application/x-www-form-urlencoded; charset=iso-8859-1',
  'application/json; charset=utf-8',
  'application/json; charset=iso-8859-1',
  'application/json; charset=',
  'application/json;;',
  'application/x-www-form-urlencoded',
  'text/plain',
  'text/csv',
  'text/csv; charset=windows-1252',
  'multipart/form-data; boundary=x',
  '*/*',
  ';',
  undefined,
);

/** The media type a route states for its body most often, any other (or none) now and then. */
const contentTypeOf = (route: DocumentedRoute) => {
  const body = route.doc.body;
  const stated = !body ? undefined : 'schema' in body ? 'application/json' : body.mediaType;
  return stated
    ? fc.oneof({ arbitrary: fc.constant(stated), weight: 3 }, { arbitrary: anyContentType, weight: 1 })
    : anyContentType;
};

const accept = fc.constantFrom(
  undefined,
  'application/json',
  'text/csv',
  'text/csv;q=0',
  'text/*',
  '*/*',
  ',;q=x',
  'text/csv;q=-1',
  'text/csv;q=1e400',
  'text/csv, application/json;q=0',
  '*/*;q=0',
  'text/html',
);

export interface RouteFuzz {
  /** The ids a path parameter may take that the world knows, by name (by route where they differ: a link's token). */
  ids: Record<string, readonly string[] | ((route: DocumentedRoute) => readonly string[])>;
  /** A body each route takes, by `METHOD path`, to mutate; others get random JSON. */
  bodies?: Record<string, unknown>;
  /** The listings whose cursors the routes read (`cursorAfter`'s first part). */
  listings?: readonly string[];
}

/** A request to one of `routes`, random or mutated in each of its parts. */
export function aRequestTo(
  routes: DocumentedRoute[],
  { ids, bodies = {}, listings = ['promoters'] }: RouteFuzz,
): fc.Arbitrary<ApiRequest> {
  return fc.constantFrom(...routes).chain((route) => {
    const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
    const example = bodies[`${route.method} ${route.path}`];
    // A JSON body, or one of another media type (a form, CSV), sent as such most often.
    const form = Boolean(route.doc.body && !('schema' in route.doc.body));
    return fc.record({
      method: fc.constant(route.method),
      route: fc.constant(route.path),
      pathParameters: fc.record(
        Object.fromEntries(
          names.map((name) => {
            const known = ids[name] ?? ['x'];
            return [name, pathValue(typeof known === 'function' ? known(route) : known)];
          }),
        ),
      ) as fc.Arbitrary<Record<string, string>>,
      query: queryOf(route, listings),
      // A route that takes a body is sent one most often; one that takes none, now and then.
      body: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: route.doc.body ? 1 : 2 },
        {
          arbitrary: (example === undefined ? fc.jsonValue({ maxDepth: 3 }) : mutatedFrom(example)).chain(
            (body) => bytesOf(body, form),
          ),
          weight: route.doc.body ? 5 : 1,
        },
      ),
      headers: fc.record({ 'content-type': contentTypeOf(route), accept }),
    });
  });
}

/**
 * What every answer keeps to: a status under 500; a 4xx of the manager's API (JSON) says what is wrong,
 * and a 400 names each field and why.
 */
export function expectA4xxAtWorst(answer: ApiAnswer) {
  expect(answer.status).toBeGreaterThanOrEqual(200);
  expect(answer.status, answer.body?.slice(0, 500)).toBeLessThan(500);
  const json = String(answer.headers?.['content-type'] ?? '').startsWith('application/json');
  if (!json || (answer.status ?? 0) < 400) return;
  const body = JSON.parse(answer.body ?? '{}');
  expect(body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  if (answer.status === 400) {
    expect(body.issues.length).toBeGreaterThan(0);
    for (const issue of body.issues)
      expect(issue).toEqual({ path: expect.any(String), message: expect.any(String) });
  }
}

/** What the fakes hold, their maps, sets and arrays read out, to tell a request that changed nothing. */
export const stateOf = (...stores: object[]): string =>
  JSON.stringify(stores, (_, value) =>
    value instanceof Map ? [...value] : value instanceof Set ? [...value] : value,
  );

/**
 * The routes that took a request (answered under 400), so a property can tell that its requests reached
 * every route's work and not only its refusals.
 */
export function routesTaken() {
  const taken = new Set<string>();
  return {
    note: (request: ApiRequest, answer: ApiAnswer) => {
      if ((answer.status ?? 500) < 400) taken.add(`${request.method} ${request.route}`);
    },
    untaken: (routes: DocumentedRoute[]) =>
      routes.map((route) => `${route.method} ${route.path}`).filter((route) => !taken.has(route)),
  };
}

/**
 * The property each function's every-route test states: each of `runs` requests, sent to a world of
 * `worlds` (a handler and the fakes it writes to), is answered with a 2xx or a 4xx at worst
 * (`expectA4xxAtWorst`) and, answered 4xx, leaves the fakes as they were; and every route took one.
 */
export async function expectEveryRouteAt4xxWorst<W>(
  routes: DocumentedRoute[],
  requests: fc.Arbitrary<ApiRequest>,
  worlds: fc.Arbitrary<W>,
  open: (world: W) => Promise<{ handler: Parameters<typeof callApi>[0]; stores: object[] }>,
  runs = 2_000,
) {
  const taken = routesTaken();
  await fc.assert(
    fc.asyncProperty(requests, worlds, async (request, world) => {
      const { handler, stores } = await open(world);
      const before = stateOf(...stores);
      const answer = await callApi(handler, request);

      taken.note(request, answer);
      expectA4xxAtWorst(answer);
      if ((answer.status ?? 0) >= 400) expect(stateOf(...stores)).toBe(before);
    }),
    { numRuns: runs },
  );
  expect(taken.untaken(routes)).toEqual([]);
}
