import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { runJobPage } from '#functions/jobs/run.ts';
import { describeJob } from '#functions/management/jobs.ts';
import { maxImportBytes, type OutletRoutesDeps, outletRoutes } from '#functions/management/outlets.ts';
import { WriteConflictError } from '#shared/db/conflicts.ts';
import { type HttpEvent, type HttpResult, httpErrors } from '#shared/http/index.ts';
import { isMailable } from '#shared/outlets.ts';
import { transactionCancelled } from '#test/support/dynamo-errors.ts';
import { aKilledImportAttempt, jobWorld } from '#test/support/jobs.ts';
import { anOutletInput, type InMemoryOutletDirectory } from '#test/support/outlets.ts';

function setup() {
  let next = 0;
  const world = jobWorld();
  const deps: OutletRoutesDeps = {
    outlets: world.outlets,
    jobs: world.routes,
    now: () => new Date('2027-02-01T10:00:00Z'),
    newOutletId: () => `out-${++next}`,
  };
  const handler = middy<HttpEvent, HttpResult>()
    .use(httpErrors())
    .handler(httpRouterHandler(outletRoutes(deps)));
  const call = async (
    method: string,
    path: string,
    options: { body?: unknown; contentType?: string; query?: Record<string, string> } = {},
  ) => {
    const bytes = Buffer.isBuffer(options.body);
    const body = bytes
      ? (options.body as Buffer).toString('base64')
      : typeof options.body === 'string'
        ? options.body
        : options.body === undefined
          ? undefined
          : JSON.stringify(options.body);
    const event = {
      version: '2.0',
      routeKey: `${method} ${path}`,
      rawPath: path,
      rawQueryString: new URLSearchParams(options.query).toString(),
      headers: { 'content-type': options.contentType ?? 'application/json' },
      queryStringParameters: options.query,
      requestContext: { http: { method, path } },
      body,
      isBase64Encoded: bytes,
    } as unknown as HttpEvent;
    const result = await handler(event, {} as Context);
    return {
      status: result.statusCode,
      headers: result.headers,
      body: result.body ? JSON.parse(result.body) : undefined,
    };
  };
  /** Runs the import job the response started to its end, and answers what GET /jobs/{jobId} shows. */
  const finished = async (response: { body: { jobId: string } }) => {
    await world.drain();
    return describeJob(response.body.jobId, world.routes);
  };
  return { deps, call, world, finished };
}

describe('media outlet routes', () => {
  it('creates an outlet with a normalised address and reads it back', async () => {
    const { call } = setup();

    const created = await call('POST', '/media-outlets', {
      body: { ...anOutletInput(), email: ' News@Radio.Example ' },
    });
    const read = await call('GET', `/media-outlets/${created.body.id}`);

    expect(created.status).toBe(201);
    expect(read.body).toMatchObject({
      id: 'out-1',
      email: 'news@radio.example',
      createdAt: '2027-02-01T10:00:00.000Z',
    });
  });

  it('takes a kind in any case and with spaces around it, on POST, PUT and the listing, as an import takes it', async () => {
    const { call } = setup();

    const created = await call('POST', '/media-outlets', {
      body: anOutletInput({ kind: ' Radio ' as 'radio' }),
    });
    const replaced = await call('PUT', `/media-outlets/${created.body.id}`, {
      body: anOutletInput({ kind: 'BLOG' as 'blog' }),
    });
    const blogs = await call('GET', '/media-outlets', { query: { kind: ' Blog' } });

    expect([created.status, created.body.kind, replaced.status, replaced.body.kind]).toEqual([
      201,
      'radio',
      200,
      'blog',
    ]);
    expect(blogs.body.outlets.map((o: { id: string }) => o.id)).toEqual([created.body.id]);
  });

  it('answers 400 naming the kinds for a kind that is no string, as for one that is no kind', async () => {
    const { call } = setup();

    const answers = await Promise.all(
      [5, null, 'zine'].map((kind) => call('POST', '/media-outlets', { body: { ...anOutletInput(), kind } })),
    );

    expect(answers.map((answer) => [answer.status, answer.body.issues])).toEqual(
      Array(3).fill([
        400,
        [{ path: 'kind', message: 'must be one of radio, press, blog, playlist, tv, podcast' }],
      ]),
    );
  });

  it('takes an address whose domain is international in ASCII (punycode) on POST and PUT, and answers 400 on a local part that is not ASCII', async () => {
    const { call } = setup();

    const created = await call('POST', '/media-outlets', {
      body: anOutletInput({ email: 'desk@bücher.example' }),
    });
    const moved = await call('PUT', `/media-outlets/${created.body.id}`, {
      body: anOutletInput({ email: 'news@zeitung.bücher.example' }),
    });
    const refused = await call('POST', '/media-outlets', {
      body: anOutletInput({ email: 'müller@zeitung.example' }),
    });

    expect(created.body.email).toBe('desk@xn--bcher-kva.example');
    expect(moved.body.email).toBe('news@zeitung.xn--bcher-kva.example');
    expect(refused.status).toBe(400);
    expect(refused.body.issues).toEqual([
      {
        path: 'email',
        message: 'the part before @ must be ASCII (SES sends to no address whose local part is not)',
      },
    ]);
  });

  it('keeps a radio outlet’s formats, and answers 400 on formats for an outlet that is not radio', async () => {
    const { call } = setup();

    const radio = await call('POST', '/media-outlets', {
      body: { ...anOutletInput({ kind: 'radio' }), formats: ['AAA', ' CHR ', 'AAA'] },
    });
    const press = await call('POST', '/media-outlets', {
      body: { ...anOutletInput({ kind: 'press', email: 'desk@paper.example' }), formats: ['AAA'] },
    });

    expect((await call('GET', `/media-outlets/${radio.body.id}`)).body.formats).toEqual(['AAA', 'CHR']);
    expect(press.status).toBe(400);
    expect(press.body.issues).toEqual([{ path: 'formats', message: 'only radio outlets have formats' }]);
  });

  it('answers 409 for a second outlet with the same address in another case', async () => {
    const { call } = setup();
    await call('POST', '/media-outlets', { body: anOutletInput({ email: 'a@x.example' }) });

    const second = await call('POST', '/media-outlets', { body: anOutletInput({ email: 'A@X.example' }) });

    expect(second.status).toBe(409);
    expect(second.body.error).toBe('conflict');
  });

  it('answers 503 with Retry-After, not a 500, when the create kept meeting concurrent writes', async () => {
    const { call, deps } = setup();
    deps.outlets.create = async () => {
      throw new WriteConflictError(5, transactionCancelled(['None', 'TransactionConflict']));
    };

    const response = await call('POST', '/media-outlets', { body: anOutletInput() });

    expect(response.status).toBe(503);
    expect(response.headers?.['retry-after']).toBe('1');
    expect(response.body).toMatchObject({ error: 'busy', message: expect.stringContaining('try again') });
  });

  it('answers 400 naming the fields that are wrong', async () => {
    const { call } = setup();

    const response = await call('POST', '/media-outlets', {
      body: { name: 'X', email: 'nope', kind: 'radio' },
    });

    expect(response.status).toBe(400);
    expect(response.body.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
      'email',
      'territories',
    ]);
  });

  it('answers 400 naming each text field one character past its length, and adds no outlet', async () => {
    const { call } = setup();
    const tooLong = (length: number) => 'x'.repeat(length + 1);

    const answers = await Promise.all(
      [
        { name: tooLong(200) },
        { contactName: tooLong(200) },
        { genres: [tooLong(60)] },
        { formats: [tooLong(40)] },
        { email: `${tooLong(254 - '@radio.example'.length)}@radio.example` },
      ].map((field) => call('POST', '/media-outlets', { body: { ...anOutletInput(), ...field } })),
    );
    const listed = await call('GET', '/media-outlets');

    expect(
      answers.map((answer) => [answer.status, answer.body.issues.map((i: { path: string }) => i.path)]),
    ).toEqual([
      [400, ['name']],
      [400, ['contactName']],
      [400, ['genres.0']],
      [400, ['formats.0']],
      [400, ['email']],
    ]);
    expect(listed.body.outlets).toEqual([]);
  });

  it('answers 400 for a name or contact name made only of characters shown as nothing, or holding a control character, and adds no outlet', async () => {
    const { call } = setup();

    const answers = await Promise.all(
      [{ name: '\u200b\u2060' }, { contactName: '\u3164' }, { name: 'Radio\u0000One' }].map((field) =>
        call('POST', '/media-outlets', { body: { ...anOutletInput(), ...field } }),
      ),
    );
    const listed = await call('GET', '/media-outlets');

    expect(answers.map((answer) => [answer.status, answer.body.issues])).toEqual([
      [400, [{ path: 'name', message: 'must not be empty' }]],
      [400, [{ path: 'contactName', message: 'must not be empty' }]],
      [
        400,
        [
          {
            path: 'name',
            message:
              'must not hold control characters (U+0000-U+001F, U+007F-U+009F) or line separators (U+2028, U+2029), a tab or line break among them',
          },
        ],
      ],
    ]);
    expect(listed.body.outlets).toEqual([]);
  });

  it('answers 400 naming a genre holding a control character or a line separator, or made only of characters shown as nothing, on POST and PUT, changing no outlet', async () => {
    const { call } = setup();
    const created = await call('POST', '/media-outlets', { body: anOutletInput({ genres: ['jazz'] }) });

    const added = await Promise.all(
      ['Jazz\u0085', 'Jazz\u2028Funk', '\u200b\u2060'].map((genre) =>
        call('POST', '/media-outlets', {
          body: anOutletInput({ email: 'new@radio.example', genres: ['rock', genre] }),
        }),
      ),
    );
    const replaced = await call('PUT', `/media-outlets/${created.body.id}`, {
      body: anOutletInput({ genres: ['Jazz\u0001'] }),
    });
    const listed = await call('GET', '/media-outlets');

    const controls = {
      path: 'genres.1',
      message:
        'must not hold control characters (U+0000-U+001F, U+007F-U+009F) or line separators (U+2028, U+2029), a tab or line break among them',
    };
    expect([...added, replaced].map((answer) => [answer.status, answer.body.issues])).toEqual([
      [400, [controls]],
      [400, [controls]],
      [400, [{ path: 'genres.1', message: 'must not be empty' }]],
      [400, [{ ...controls, path: 'genres.0' }]],
    ]);
    expect(listed.body.outlets.map((outlet: { genres: string[] }) => outlet.genres)).toEqual([['jazz']]);
  });

  it('answers 400 naming a radio format holding a control character or a line separator, or made only of characters shown as nothing, on POST and PUT, changing no outlet, and keeps the formats it takes as before', async () => {
    const { call } = setup();
    const created = await call('POST', '/media-outlets', {
      body: { ...anOutletInput({ kind: 'radio' }), formats: [' AAA ', 'Hot AC', 'hot ac'] },
    });

    const added = await Promise.all(
      ['A\u0085AA', 'Hot\u2028AC', '\u200b\u2060'].map((format) =>
        call('POST', '/media-outlets', {
          body: { ...anOutletInput({ kind: 'radio', email: 'new@radio.example' }), formats: ['CHR', format] },
        }),
      ),
    );
    const replaced = await call('PUT', `/media-outlets/${created.body.id}`, {
      body: { ...anOutletInput({ kind: 'radio' }), formats: ['CHR\u0001'] },
    });
    const listed = await call('GET', '/media-outlets');

    const controls = {
      path: 'formats.1',
      message:
        'must not hold control characters (U+0000-U+001F, U+007F-U+009F) or line separators (U+2028, U+2029), a tab or line break among them',
    };
    expect([...added, replaced].map((answer) => [answer.status, answer.body.issues])).toEqual([
      [400, [controls]],
      [400, [controls]],
      [400, [{ path: 'formats.1', message: 'must not be empty' }]],
      [400, [{ ...controls, path: 'formats.0' }]],
    ]);
    // 'hot ac' is the format 'Hot AC' as formats are matched (trimmed, in lower case): kept once.
    expect(listed.body.outlets.map((outlet: { formats: string[] }) => outlet.formats)).toEqual([
      ['AAA', 'Hot AC'],
    ]);
  });

  it('answers 400 naming query.genre when it holds a control character, rather than listing outlets by it', async () => {
    const { call } = setup();

    const listed = await call('GET', '/media-outlets', { query: { genre: 'jazz\u0085' } });

    expect([listed.status, listed.body.issues.map((issue: { path: string }) => issue.path)]).toEqual([
      400,
      ['query.genre'],
    ]);
  });

  it('replaces an outlet, refuses to take another outlet’s address, and deletes it', async () => {
    const { call } = setup();
    await call('POST', '/media-outlets', { body: anOutletInput({ email: 'a@x.example' }) });
    await call('POST', '/media-outlets', { body: anOutletInput({ email: 'b@x.example' }) });

    const replaced = await call('PUT', '/media-outlets/out-1', {
      body: anOutletInput({ name: 'Renamed', email: 'c@x.example' }),
    });
    const clash = await call('PUT', '/media-outlets/out-1', {
      body: anOutletInput({ email: 'b@x.example' }),
    });
    const deleted = await call('DELETE', '/media-outlets/out-1');
    const gone = await call('GET', '/media-outlets/out-1');

    expect(replaced.body).toMatchObject({ name: 'Renamed', email: 'c@x.example' });
    expect(clash.status).toBe(409);
    expect(deleted.status).toBe(204);
    expect(gone.status).toBe(404);
  });

  it('states Outlets Changed with an outlet created, or edited to reach other releases, and not with a new name alone', async () => {
    const { call, world } = setup();
    const changed = () =>
      world.outlets.outbox.ofType('Outlets Changed').map((detail) => detail.data.outletIds);
    await call('POST', '/media-outlets', {
      body: anOutletInput({ email: 'a@x.example', genres: ['techno'], territories: ['GB'] }),
    });
    const created = changed();
    await call('PUT', '/media-outlets/out-1', {
      body: anOutletInput({ name: 'Renamed', email: 'a@x.example', genres: ['techno'], territories: ['GB'] }),
    });
    const renamed = changed();
    await call('PUT', '/media-outlets/out-1', {
      body: anOutletInput({
        name: 'Renamed',
        email: 'a@x.example',
        genres: ['techno'],
        territories: ['GB', 'DE'],
      }),
    });
    await call('PUT', '/media-outlets/out-1', {
      body: anOutletInput({
        name: 'Renamed',
        email: 'b@x.example',
        genres: ['techno'],
        territories: ['GB', 'DE'],
      }),
    });

    expect(created).toEqual([['out-1']]);
    expect(renamed).toEqual([['out-1']]);
    expect(changed()).toEqual([['out-1'], ['out-1'], ['out-1']]);
  });

  it('pages the directory with an opaque cursor and filters by genre, territory and kind', async () => {
    const { call } = setup();
    await call('POST', '/media-outlets', {
      body: anOutletInput({ name: 'A', email: 'a@x.example', genres: [] }),
    });
    await call('POST', '/media-outlets', {
      body: anOutletInput({ name: 'B', email: 'b@x.example', genres: ['jazz'] }),
    });
    await call('POST', '/media-outlets', {
      body: anOutletInput({ name: 'C', email: 'c@x.example', territories: ['WW'] }),
    });
    await call('POST', '/media-outlets', {
      body: anOutletInput({ name: 'D', email: 'd@x.example', kind: 'blog' }),
    });

    const first = await call('GET', '/media-outlets', { query: { limit: '2' } });
    const second = await call('GET', '/media-outlets', {
      query: { limit: '2', cursor: first.body.nextCursor },
    });
    const synthpopInDe = await call('GET', '/media-outlets', {
      query: { genre: 'SynthPop', territory: 'de' },
    });
    const blogs = await call('GET', '/media-outlets', { query: { kind: 'blog' } });

    expect(first.body.outlets.map((o: { name: string }) => o.name)).toEqual(['A', 'B']);
    expect(second.body.outlets.map((o: { name: string }) => o.name)).toEqual(['C', 'D']);
    expect(second.body.nextCursor).toBeUndefined();
    expect(synthpopInDe.body.outlets.map((o: { name: string }) => o.name)).toEqual(['C']);
    expect(blogs.body.outlets.map((o: { name: string }) => o.name)).toEqual(['D']);
  });

  it('answers 400 for a bad limit or a cursor it did not make', async () => {
    const { call } = setup();

    const badLimit = await call('GET', '/media-outlets', { query: { limit: '0' } });
    const badCursor = await call('GET', '/media-outlets', { query: { cursor: 'forged' } });

    expect(badLimit.status).toBe(400);
    expect(badLimit.body.issues).toEqual([{ path: 'query.limit', message: 'must be from 1 to 100' }]);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.issues[0].path).toBe('query.cursor');
  });

  it('answers 400 saying a limit must be a whole number when it is a word, two numbers or a fraction, rather than that it received NaN, and the range alone past it', async () => {
    const { call } = setup();

    const word = await call('GET', '/media-outlets', { query: { limit: 'ten' } });
    // Two numbers in one value (a parameter given twice is told so: input-names.test.ts).
    const twice = await call('GET', '/media-outlets', { query: { limit: '2,3' } });
    const half = await call('GET', '/media-outlets', { query: { limit: '1.5' } });
    // Past the range and past what JavaScript holds exactly: told the range alone.
    const huge = await call('GET', '/media-outlets', { query: { limit: '99999999999999999999' } });

    expect([word, twice, half, huge].map((answer) => [answer.status, answer.body.issues])).toEqual([
      [400, [{ path: 'query.limit', message: 'must be a whole number written in digits, such as 50' }]],
      [400, [{ path: 'query.limit', message: 'must be a whole number written in digits, such as 50' }]],
      [400, [{ path: 'query.limit', message: 'must be a whole number written in digits, such as 50' }]],
      [400, [{ path: 'query.limit', message: 'must be from 1 to 100' }]],
    ]);
  });

  it('answers 400 naming a query parameter it does not know (the outlet’s own plural `territories`), rather than listing the whole directory unfiltered', async () => {
    const { call } = setup();
    await call('POST', '/media-outlets', {
      body: anOutletInput({ name: 'A', email: 'a@x.example', territories: ['GB'] }),
    });
    await call('POST', '/media-outlets', {
      body: anOutletInput({ name: 'B', email: 'b@x.example', territories: ['DE'] }),
    });

    const listed = await call('GET', '/media-outlets', { query: { territories: 'DE' } });

    expect(listed.status).toBe(400);
    expect(listed.body.issues?.[0]?.path).toBe('query.territories');
  });

  it('answers 400 naming query.territory for a code that is no country (UK), rather than listing only the worldwide outlets', async () => {
    const { call } = setup();
    await call('POST', '/media-outlets', {
      body: anOutletInput({ name: 'Worldwide', email: 'ww@x.example', territories: ['WW'] }),
    });
    await call('POST', '/media-outlets', {
      body: anOutletInput({ name: 'British', email: 'gb@x.example', territories: ['GB'] }),
    });
    // The outlet itself may not be given UK: the directory refuses it as no ISO 3166-1 country.
    const created = await call('POST', '/media-outlets', {
      body: anOutletInput({ name: 'Typo', email: 'uk@x.example', territories: ['UK'] }),
    });

    const listed = await call('GET', '/media-outlets', { query: { territory: 'UK' } });

    expect(created.status).toBe(400);
    expect(listed.status).toBe(400);
    expect(listed.body.issues?.[0]?.path).toBe('query.territory');
  });

  it('reads query.territory as an outlet’s own territories are read (trimmed, in any case) and refuses a code that is no country in the words the outlet’s body is refused in', async () => {
    const { call } = setup();
    await call('POST', '/media-outlets', {
      body: anOutletInput({ name: 'British', email: 'gb@x.example', territories: [' gb '] }),
    });
    await call('POST', '/media-outlets', {
      body: anOutletInput({ name: 'German', email: 'de@x.example', territories: ['DE'] }),
    });
    const refusedOutlets = await Promise.all(
      ['UK', 'G8'].map((code) =>
        call('POST', '/media-outlets', {
          body: anOutletInput({ name: 'Typo', email: `${code}@x.example`, territories: [code] }),
        }),
      ),
    );

    const listed = await call('GET', '/media-outlets', { query: { territory: ' gb ' } });
    const refusedQueries = await Promise.all(
      ['UK', 'G8'].map((code) => call('GET', '/media-outlets', { query: { territory: code } })),
    );

    expect(listed.body.outlets.map((o: { name: string }) => o.name)).toEqual(['British']);
    expect(refusedOutlets.map((answer) => [answer.status, answer.body.issues.length])).toEqual([
      [400, 1],
      [400, 1],
    ]);
    expect(refusedQueries.map((answer) => [answer.status, answer.body.issues])).toEqual(
      refusedOutlets.map((answer) => [
        400,
        answer.body.issues.map((issue: { path: string; message: string }) => ({
          path: 'query.territory',
          message: issue.message,
        })),
      ]),
    );
  });

  it('imports a CSV as a job, upserting by address and reporting the bad rows by line', async () => {
    const { call, deps, finished } = setup();
    await call('POST', '/media-outlets', { body: anOutletInput({ name: 'Old name', email: 'a@x.example' }) });
    const body = [
      'name,email,kind,genres,territories,contactName',
      'New name,A@X.example,radio,jazz,GB,',
      'Fresh,f@x.example,press,,WW,Ann',
      'Broken,,press,,GB,',
      'Fresh again,f@x.example,press,,WW,Bob',
    ].join('\n');

    const response = await call('POST', '/media-outlets/import', {
      body,
      contentType: 'text/csv; charset=utf-8',
    });

    const job = await finished(response);

    expect(response.status).toBe(202);
    expect(job).toMatchObject({
      status: 'done',
      progress: { done: 4, total: 4 },
      result: {
        created: 1,
        updated: 1,
        rejectedCount: 1,
        rejected: [{ line: 4, error: expect.stringMatching(/^email/) }],
        repeatedCount: 1,
        repeated: [{ line: 5, email: 'f@x.example', earlierLine: 3 }],
      },
    });
    expect((await deps.outlets.findByEmail('a@x.example'))?.name).toBe('New name');
    expect((await deps.outlets.findByEmail('f@x.example'))?.contactName).toBe('Bob');
  });

  // A genre (past the header check, U+0085) and a radio format are each a Line (shared/events/fields.ts).
  it.each([
    {
      field: 'genres',
      header: 'name,email,kind,genres,territories',
      rows: ['jazz;Soul,GB', 'jazz\u0085,GB', 'jazz;funk\u2028soul,GB', '\u200b,GB'],
      kept: ['jazz', 'Soul'],
      shown: ['jazz\\u0085', 'funk\\u2028soul', '\\u200b'],
    },
    {
      field: 'formats',
      header: 'name,email,kind,territories,formats',
      rows: ['GB,AAA; Hot AC', 'GB,A\u0085AA', 'GB,AAA;Hot\u2028AC', 'GB,\u200b'],
      kept: ['AAA', 'Hot AC'],
      shown: ['A\\u0085AA', 'Hot\\u2028AC', '\\u200b'],
    },
  ])(
    'rejects the rows of an import whose $field hold a control character (U+0085) or a line separator, or show as nothing, listing why, and imports the others',
    async ({ field, header, rows, kept, shown }) => {
      const { call, deps, finished } = setup();
      const body = [
        header,
        ...['Fine', 'Next', 'Line', 'Blank'].map(
          (name, i) => `${name} FM,${name.toLowerCase()}@x.example,radio,${rows[i]}`,
        ),
      ].join('\n');

      const job = await finished(
        await call('POST', '/media-outlets/import', { body, contentType: 'text/csv' }),
      );

      const controls =
        'must not hold control characters (U+0000-U+001F, U+007F-U+009F) or line separators (U+2028, U+2029), a tab or line break among them';
      expect(job).toMatchObject({ status: 'done', result: { created: 1, updated: 0, rejectedCount: 3 } });
      expect(job.result?.rejected).toEqual([
        // Each item named as the cell holds it, its invisible characters written out.
        { line: 3, error: `${field} "${shown[0]}": ${controls}` },
        { line: 4, error: `${field} "${shown[1]}": ${controls}` },
        { line: 5, error: `${field} "${shown[2]}": must not be empty` },
      ]);
      expect(
        await Promise.all(
          ['next', 'line', 'blank'].map((name) => deps.outlets.findByEmail(`${name}@x.example`)),
        ),
      ).toEqual([undefined, undefined, undefined]);
      expect((await deps.outlets.findByEmail('fine@x.example'))?.[field as 'genres' | 'formats']).toEqual(
        kept,
      );
    },
  );

  it('keeps the fields of an outlet it updates whose columns the header leaves out; a column given empty empties it', async () => {
    const { call, deps, finished } = setup();
    const described = { genres: ['synthpop'], contactName: 'Ann Lee', formats: ['AAA'] };
    await call('POST', '/media-outlets', {
      body: anOutletInput({ email: 'a@x.example', kind: 'radio', ...described }),
    });
    await call('POST', '/media-outlets', {
      body: anOutletInput({ email: 'b@x.example', kind: 'radio', ...described }),
    });

    const namesOnly = await call('POST', '/media-outlets/import', {
      body: 'name,email,kind,territories\nRenamed,a@x.example,radio,GB;IE\nNew,n@x.example,press,WW',
      contentType: 'text/csv',
    });
    const emptied = await call('POST', '/media-outlets/import', {
      body: 'name,email,kind,territories,contactName,genres\nB,b@x.example,radio,GB,,',
      contentType: 'text/csv',
    });
    const jobs = [await finished(namesOnly), await finished(emptied)];

    expect(jobs.map((job) => job.result)).toMatchObject([
      { created: 1, updated: 1, rejectedCount: 0 },
      { created: 0, updated: 1, rejectedCount: 0 },
    ]);
    expect(await deps.outlets.findByEmail('a@x.example')).toMatchObject({
      name: 'Renamed',
      territories: ['GB', 'IE'],
      ...described,
    });
    const b = await deps.outlets.findByEmail('b@x.example');
    expect(b).toMatchObject({ genres: [], formats: ['AAA'] });
    expect(b?.contactName).toBeUndefined();
    const created = await deps.outlets.findByEmail('n@x.example');
    expect(created).toMatchObject({ name: 'New', kind: 'press', genres: [] });
    expect(created?.contactName).toBeUndefined();
    expect(created?.formats).toBeUndefined();
  });

  it('drops the formats it kept of an outlet an import makes other than radio', async () => {
    const { call, deps, finished } = setup();
    await call('POST', '/media-outlets', {
      body: anOutletInput({ email: 'a@x.example', kind: 'radio', formats: ['AAA'], contactName: 'Ann' }),
    });

    const job = await finished(
      await call('POST', '/media-outlets/import', {
        body: 'name,email,kind,territories\nNow a blog,a@x.example,blog,GB',
        contentType: 'text/csv',
      }),
    );
    const outlet = await deps.outlets.findByEmail('a@x.example');

    expect(job.result).toMatchObject({ updated: 1, rejectedCount: 0 });
    expect(outlet).toMatchObject({ kind: 'blog', contactName: 'Ann' });
    expect(outlet?.formats).toBeUndefined();
  });

  it('keeps an unsubscribe when the outlet is deleted and its address imported again', async () => {
    const { call, deps, finished } = setup();
    const first = await call('POST', '/media-outlets', { body: anOutletInput({ email: 'a@x.example' }) });
    await deps.outlets.markUnsubscribed(first.body.id, '2027-01-20T08:00:00.000Z', []);

    await call('DELETE', `/media-outlets/${first.body.id}`);
    const imported = await call('POST', '/media-outlets/import', {
      body: 'name,email,kind,territories\nBack again,a@x.example,radio,GB',
      contentType: 'text/csv',
    });
    const job = await finished(imported);
    const again = await deps.outlets.findByEmail('a@x.example');

    expect(job.result).toMatchObject({ created: 1, updated: 0 });
    expect(again).toMatchObject({ name: 'Back again', unsubscribedAt: '2027-01-20T08:00:00.000Z' });
    expect(again?.id).not.toBe(first.body.id);
    expect(isMailable(again!)).toBe(false);
  });

  it('counts an address several rows of the file name once, by its first row, lists the later rows with the line they repeat, and keeps what the last row says', async () => {
    const { call, deps, finished } = setup();
    await call('POST', '/media-outlets', { body: anOutletInput({ name: 'Before', email: 'b@x.example' }) });

    const job = await finished(
      await call('POST', '/media-outlets/import', {
        body: [
          'name,email,kind,territories',
          'A one,a@x.example,radio,GB',
          'B one,b@x.example,radio,GB',
          'A two,A@X.example,radio,GB',
          'B bad,b@x.example,nokind,GB',
          'A three,a@x.example,press,IE',
          'B two,b@x.example,radio,GB',
        ].join('\n'),
        contentType: 'text/csv',
      }),
    );
    const a = await deps.outlets.findByEmail('a@x.example');
    const b = await deps.outlets.findByEmail('b@x.example');

    expect(job.result).toMatchObject({ created: 1, updated: 1, rejectedCount: 1, repeatedCount: 3 });
    expect(job.result).toHaveProperty('repeated', [
      { line: 4, email: 'a@x.example', earlierLine: 2 },
      { line: 6, email: 'a@x.example', earlierLine: 2 },
      { line: 7, email: 'b@x.example', earlierLine: 3 },
    ]);
    expect(a).toMatchObject({ name: 'A three', kind: 'press', territories: ['IE'] });
    expect(b).toMatchObject({ name: 'B two' });
  });

  it('lists the rows of an import whose address unsubscribed, bounced or complained, with since when, keeping each opt-out', async () => {
    const { call, deps, finished } = setup();
    const directory = deps.outlets as InMemoryOutletDirectory;
    const gone = await call('POST', '/media-outlets', { body: anOutletInput({ email: 'gone@x.example' }) });
    await deps.outlets.markUnsubscribed(gone.body.id, '2027-01-20T08:00:00.000Z', []);
    await directory.suppress(
      { email: 'bounced@x.example', reason: 'bounce', at: '2027-01-21T09:00:00.000Z' },
      [],
    );
    await directory.suppress(
      { email: 'angry@x.example', reason: 'complaint', at: '2027-01-22T10:00:00.000Z' },
      [],
    );

    const job = await finished(
      await call('POST', '/media-outlets/import', {
        body: [
          'name,email,kind,territories',
          'Fine,fine@x.example,radio,GB',
          'Gone,gone@x.example,radio,GB',
          'Bounced,bounced@x.example,radio,GB',
          'Angry,angry@x.example,radio,GB',
        ].join('\n'),
        contentType: 'text/csv',
      }),
    );
    const outlets = await Promise.all(
      ['gone', 'bounced', 'angry'].map((who) => deps.outlets.findByEmail(`${who}@x.example`)),
    );

    expect(job.result).toMatchObject({ created: 3, updated: 1, rejectedCount: 0, optedOutCount: 3 });
    expect(job.result).toHaveProperty('optedOut', [
      { line: 3, email: 'gone@x.example', optOut: 'unsubscribed', since: '2027-01-20T08:00:00.000Z' },
      { line: 4, email: 'bounced@x.example', optOut: 'bounced', since: '2027-01-21T09:00:00.000Z' },
      { line: 5, email: 'angry@x.example', optOut: 'complained', since: '2027-01-22T10:00:00.000Z' },
    ]);
    expect(outlets.map((outlet) => isMailable(outlet!))).toEqual([false, false, false]);
  });

  it('answers 415 for an import that is not CSV and 413 for one that is too large', async () => {
    const { call } = setup();

    const notCsv = await call('POST', '/media-outlets/import', {
      body: '{}',
      contentType: 'application/json',
    });
    const tooLarge = await call('POST', '/media-outlets/import', {
      body: 'x'.repeat(maxImportBytes + 1),
      contentType: 'text/csv',
    });

    expect(notCsv.status).toBe(415);
    expect(tooLarge.status).toBe(413);
    expect(JSON.stringify(tooLarge.body)).toContain(`${maxImportBytes} bytes`);
  });

  it('answers 400 for an import whose header is wrong, and starts no job', async () => {
    const { call, deps, world } = setup();

    const response = await call('POST', '/media-outlets/import', {
      body: 'name,mail\nA,a@x.example',
      contentType: 'text/csv',
    });

    expect(response.status).toBe(400);
    expect(response.body.issues[0]).toMatchObject({ path: '', message: expect.stringMatching(/header/) });
    expect((deps.outlets as InMemoryOutletDirectory).outlets.size).toBe(0);
    expect(world.store.jobs.size).toBe(0);
  });

  it('answers 400 naming the line for an import holding a control character (six bytes each in the event, past what its limit allows for), and starts no job', async () => {
    const { call, world } = setup();

    const response = await call('POST', '/media-outlets/import', {
      body: 'name,email,kind,territories\nFine FM,fine@radio.example,radio,GB\nBad\u0001 FM,bad@radio.example,radio,GB\n',
      contentType: 'text/csv',
    });

    expect(response.status).toBe(400);
    expect(response.body.issues[0]).toMatchObject({
      path: '',
      message: expect.stringMatching(/^line 3: .*U\+0001/),
    });
    expect(world.store.jobs.size).toBe(0);
  });

  it('reads an import in the charset its Content-Type names, UTF-8 by default, and answers 400 for bytes not valid in it, starting no job', async () => {
    const { call, deps, world, finished } = setup();
    // "Café Radio" as a spreadsheet on Windows saves it: é is the single byte 0xE9.
    const latin = Buffer.from(
      'name,email,kind,territories\r\nCaf\xe9 Radio,cafe@radio.example,radio,GB\r\n',
      'latin1',
    );

    const asUtf8 = await call('POST', '/media-outlets/import', { body: latin, contentType: 'text/csv' });
    const unknown = await call('POST', '/media-outlets/import', {
      body: latin,
      contentType: 'text/csv; charset=x-backline',
    });
    const jobsRefused = world.store.jobs.size;
    const asWindows = await call('POST', '/media-outlets/import', {
      body: latin,
      contentType: 'text/csv; charset="windows-1252"',
    });

    expect(asUtf8.status).toBe(400);
    expect(asUtf8.body.issues[0]).toEqual({ path: '', message: 'is not valid utf-8 text' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.issues[0].path).toBe('header.content-type');
    expect(jobsRefused).toBe(0);
    expect(asWindows.status).toBe(202);
    expect((await finished(asWindows)).status).toBe('done');
    expect((await deps.outlets.findByEmail('cafe@radio.example'))?.name).toBe('Café Radio');
  });

  it.each([
    'text/csv; charset="windows-1252"',
    'text/csv;charset=Windows-1252',
    'text/csv ; charset = WINDOWS-1252',
    'text/csv; header=present; charset="windows-1252"; foo=bar',
  ])('reads the charset however %s writes it', async (contentType) => {
    const { call, deps, finished } = setup();
    const latin = Buffer.from(
      'name,email,kind,territories\r\nCaf\xe9 Radio,cafe@radio.example,radio,GB\r\n',
      'latin1',
    );

    const response = await call('POST', '/media-outlets/import', { body: latin, contentType });

    expect(response.status).toBe(202);
    expect((await finished(response)).status).toBe('done');
    expect((await deps.outlets.findByEmail('cafe@radio.example'))?.name).toBe('Café Radio');
  });

  it('reads an import whose charset is named empty as UTF-8', async () => {
    const { call, deps, finished } = setup();
    const body = Buffer.from('name,email,kind,territories\r\nCafé Radio,cafe@radio.example,radio,GB\r\n');

    const responses = [
      await call('POST', '/media-outlets/import', { body, contentType: 'text/csv; charset=""' }),
      await call('POST', '/media-outlets/import', { body, contentType: 'text/csv; charset=' }),
    ];

    expect(responses.map((response) => response.status)).toEqual([202, 202]);
    expect((await finished(responses[1])).status).toBe('done');
    expect((await deps.outlets.findByEmail('cafe@radio.example'))?.name).toBe('Café Radio');
  });

  it('works through a long import one page of 500 rows per run, with line numbers across pages', async () => {
    const { call, world, finished } = setup();
    const lines = Array.from({ length: 1_200 }, (_, i) =>
      i === 700 ? 'Broken,not-an-address,radio,,GB' : `Outlet ${i},o${i}@x.example,radio,,GB`,
    );

    const response = await call('POST', '/media-outlets/import', {
      body: ['name,email,kind,genres,territories', ...lines].join('\n'),
      contentType: 'text/csv',
    });
    const stored = await world.store.get(response.body.jobId);
    const job = await finished(response);

    expect(stored).toMatchObject({ status: 'queued', pages: 3, total: 1_200, done: 0 });
    // Each page states its outlets in one Outlets Changed, written with its completion.
    expect(world.store.outbox.map((e) => e.detailType)).toEqual([
      'Job Requested',
      'Job Page Due',
      'Outlets Changed',
      'Job Page Due',
      'Outlets Changed',
      'Outlets Changed',
    ]);
    const changed = world.store.outbox
      .filter((e) => e.detailType === 'Outlets Changed')
      .map((e) => (e.detail.data as { outletIds: string[] }).outletIds);
    expect(changed.map((ids) => ids.length)).toEqual([500, 499, 200]);
    expect(new Set(changed.flat()).size).toBe(1_199);
    expect(job).toMatchObject({
      status: 'done',
      progress: { done: 1_200, total: 1_200 },
      result: { created: 1_199, updated: 0, rejectedCount: 1, rejected: [{ line: 702 }] },
    });
  });

  it('counts a page once when it runs again after a crash, and changes nothing twice', async () => {
    const { call, world, finished } = setup();
    const response = await call('POST', '/media-outlets/import', {
      body: 'name,email,kind,territories\nA,a@x.example,radio,GB\nB,b@x.example,radio,GB',
      contentType: 'text/csv',
    });
    const { jobId } = response.body;
    // The first attempt (counted before its work, as every attempt is) does the work and crashes before
    // recording the page.
    await aKilledImportAttempt(world, jobId, 0);

    const run = await runJobPage({ jobId, page: 0 }, world.runner);
    const again = await runJobPage({ jobId, page: 0 }, world.runner);
    const shown = await finished(response);

    expect([run.outcome, again.outcome]).toEqual(['done', 'finished']);
    expect(shown.result).toMatchObject({ created: 2, updated: 0, rejectedCount: 0 });
    expect(world.outlets.outlets.size).toBe(2);
  });

  it('answers 404 for a job that does not exist', async () => {
    const { world } = setup();

    await expect(describeJob('job-00000000-0000-4000-8000-999999999999', world.routes)).rejects.toMatchObject(
      {
        status: 404,
      },
    );
    await expect(describeJob('../../etc', world.routes)).rejects.toMatchObject({ status: 404 });
  });
});

// The API states Outlets Changed only for an edit that changes whom the outlet reaches
// (reachChanged), and docs/design.md#exactly-once-mail says "An edit of its name or contact asks
// nothing": an import names the outlets it created and those, by the same rule.
describe('Outlets Changed from an import', () => {
  it('does not name an outlet an import only renamed, as the API does not', async () => {
    const { call, world, finished } = setup();
    await call('POST', '/media-outlets', {
      body: anOutletInput({ name: 'Old', email: 'a@x.example', genres: ['techno'], territories: ['GB'] }),
    });
    await call('PUT', '/media-outlets/out-1', {
      body: anOutletInput({ name: 'Renamed', email: 'a@x.example', genres: ['techno'], territories: ['GB'] }),
    });
    const viaApi = world.outlets.outbox.ofType('Outlets Changed').length;
    const response = await call('POST', '/media-outlets/import', {
      body: 'name,email,kind,genres,territories\nRenamed again,a@x.example,radio,techno,GB\n',
      contentType: 'text/csv',
    });
    const job = await finished(response);
    expect(job).toMatchObject({ status: 'done', result: { created: 0, updated: 1 } });
    expect(viaApi).toBe(1); // the create only
    const fromImport = world.store.outbox.filter((e) => e.detailType === 'Outlets Changed');
    expect(fromImport).toEqual([]);
  });

  it('names an outlet an import moved to another territory, also when the page runs again after a crash', async () => {
    const { call, world, finished } = setup();
    await call('POST', '/media-outlets', {
      body: anOutletInput({ email: 'a@x.example', genres: ['techno'], territories: ['GB'] }),
    });
    const response = await call('POST', '/media-outlets/import', {
      body: 'name,email,kind,genres,territories\nMoved,a@x.example,radio,techno,FR\n',
      contentType: 'text/csv',
    });
    // The first attempt writes the row and crashes before recording the page: the re-run finds the
    // outlet as the row describes it, and still names it.
    const { jobId } = response.body;
    await aKilledImportAttempt(world, jobId, 0);
    const job = await finished(response);

    expect(job).toMatchObject({ status: 'done', result: { created: 0, updated: 1 } });
    const named = world.store.outbox
      .filter((e) => e.detailType === 'Outlets Changed')
      .map((e) => (e.detail.data as { outletIds: string[] }).outletIds);
    expect(named).toEqual([['out-1']]);
  });
});

// An import page's outlets are named by its completion ("the completion is the one write that
// stands for all of them"). A page whose rows were written but whose completion never landed (the job
// failed on its last attempt) named nobody, and importing the file again counts those rows unchanged,
// so it names nobody either: the outlets would never hear of the releases still to come. The job's
// failure names them (docs/design.md#jobs).
describe('Outlets Changed for the outlets of an import page that failed', () => {
  it('names an outlet written by a failed page, at the latest when the manager imports the file again', async () => {
    const { call, world, finished } = setup();
    const csv = 'name,email,kind,genres,territories\nNew,new@x.example,press,techno,GB\n';
    const complete = world.store.completePage.bind(world.store);
    world.store.completePage = async () => {
      throw new WriteConflictError(5, new Error('TransactionCanceledException'));
    };
    const first = await call('POST', '/media-outlets/import', { body: csv, contentType: 'text/csv' });
    for (let attempt = 0; attempt < 3; attempt++)
      await runJobPage({ jobId: first.body.jobId, page: 0 }, world.runner).catch(() => undefined);
    expect(await describeJob(first.body.jobId, world.routes)).toMatchObject({ status: 'failed' });
    const written = await world.outlets.findByEmail('new@x.example');
    expect(written).toBeDefined();

    // The manager sees the job failed and imports the same file again.
    world.store.completePage = complete;
    world.clock.now = new Date('2027-02-01T11:00:00Z');
    const again = await call('POST', '/media-outlets/import', { body: csv, contentType: 'text/csv' });
    expect(await finished(again)).toMatchObject({ status: 'done', result: { created: 0, updated: 0 } });

    const named = [...world.store.outbox, ...world.outlets.outbox.entries]
      .filter((e) => e.detailType === 'Outlets Changed')
      .flatMap((e) => (e.detail.data as { outletIds: string[] }).outletIds);
    expect(named).toContain(written!.id);
  });

  it('names the outlets a page wrote when its attempts were all killed before they could record anything', async () => {
    const { call, world } = setup();
    await call('POST', '/media-outlets', {
      body: anOutletInput({ email: 'kept@x.example', genres: ['techno'], territories: ['GB'] }),
    });
    const response = await call('POST', '/media-outlets/import', {
      body: 'name,email,kind,genres,territories\nNew,new@x.example,press,techno,GB\nKept,kept@x.example,radio,techno,FR\n',
      contentType: 'text/csv',
    });
    const { jobId } = response.body;
    // Three attempts start, write the rows and are killed (a timeout, out of memory) before recording.
    for (let attempt = 0; attempt < 3; attempt++) await aKilledImportAttempt(world, jobId, 0);

    const outcome = await runJobPage({ jobId, page: 0 }, world.runner);

    expect(outcome).toMatchObject({ outcome: 'failed' });
    const named = world.store.outbox
      .filter((e) => e.detailType === 'Outlets Changed')
      .flatMap((e) => (e.detail.data as { outletIds: string[] }).outletIds);
    const written = [
      await world.outlets.findByEmail('new@x.example'),
      await world.outlets.findByEmail('kept@x.example'),
    ];
    expect(named.sort()).toEqual(written.map((outlet) => outlet!.id).sort());
  });
});

describe('a radio outlet as the API document describes it', () => {
  it("answers a radio outlet's formats in a field the API document lists (its schema allows no other)", async () => {
    const { readFileSync } = await import('node:fs');
    const { call } = setup();
    const document = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));
    const documented = (method: string, path: string, status: string) =>
      document.paths[path][method].responses[status].content['application/json'].schema as {
        properties: Record<string, unknown>;
        additionalProperties?: boolean;
      };

    const created = await call('POST', '/media-outlets', {
      body: anOutletInput({ kind: 'radio', formats: ['AAA', 'specialist'] }),
    });
    const read = await call('GET', `/media-outlets/${created.body.id}`);

    expect(read.body.formats).toEqual(['AAA', 'specialist']);
    for (const [method, path, status, body] of [
      ['post', '/media-outlets', '201', created.body],
      ['get', '/media-outlets/{outletId}', '200', read.body],
    ] as const) {
      const schema = documented(method, path, status);
      const undocumented = Object.keys(body).filter((field) => !(field in schema.properties));
      expect({ path, undocumented }).toEqual({ path, undocumented: [] });
    }
  });
});

describe('an import labelled US-ASCII whose bytes are not valid in that charset', () => {
  it.each([
    ['us-ascii', 'E9'],
    ['ASCII', '80'],
    ['ANSI_X3.4-1968', 'FF'],
  ])('answers 400 for a file labelled %s holding the byte 0x%s, and starts no job', async (charset, byte) => {
    const { call, world } = setup();
    // US-ASCII has no byte above 0x7F (TextDecoder reads the label as windows-1252 and takes it as é).
    const body = Buffer.concat([
      Buffer.from('name,email,kind,territories\r\nCaf', 'latin1'),
      Buffer.from([Number.parseInt(byte, 16)]),
      Buffer.from(' Radio,cafe@radio.example,radio,GB\r\n', 'latin1'),
    ]);

    const response = await call('POST', '/media-outlets/import', {
      body,
      contentType: `text/csv; charset=${charset}`,
    });

    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual([
      {
        path: '',
        message: `is not valid ${charset.toLowerCase()} text: byte ${body.indexOf(Number.parseInt(byte, 16))} is 0x${byte}, and US-ASCII has none above 0x7F (UTF-8 is charset=utf-8)`,
      },
    ]);
    expect(world.store.jobs.size).toBe(0);
  });
});

// PUT replaces the whole outlet: a field it does not know (a misspelt contactName) would leave the
// real one out and clear it, so an unknown field is a 400 naming it, as an unknown query key or CSV
// column is, and changes nothing.
describe('an outlet body with a field the API does not know', () => {
  it('answers 400 naming it on PUT and POST, keeping the outlet as it was and creating none', async () => {
    const { call } = setup();
    const created = await call('POST', '/media-outlets', {
      body: anOutletInput({ contactName: 'Jo Bloggs' }),
    });

    const replaced = await call('PUT', `/media-outlets/${created.body.id}`, {
      body: { ...anOutletInput(), contactname: 'Jo Blogs' },
    });
    const added = await call('POST', '/media-outlets', {
      body: { ...anOutletInput({ email: 'other@radio.example' }), territory: 'GB' },
    });
    const read = await call('GET', `/media-outlets/${created.body.id}`);
    const listed = await call('GET', '/media-outlets');

    expect(replaced.status).toBe(400);
    expect(replaced.body.issues).toEqual([{ path: 'contactname', message: 'is not a known field' }]);
    expect(added.status).toBe(400);
    expect(added.body.issues).toEqual([{ path: 'territory', message: 'is not a known field' }]);
    expect(read.body.contactName).toBe('Jo Bloggs');
    expect(listed.body.outlets.map((outlet: { id: string }) => outlet.id)).toEqual([created.body.id]);
  });
});

/**
 * Excel's "Unicode Text" saves UTF-16 (little-endian, tab-separated) and starts the file with a byte
 * order mark, as other tools saving UTF-16 do: the mark says the charset whatever the Content-Type names
 * (the Encoding Standard's decode), so such a file is read without a --charset, and is not read as the
 * windows-1252 the CLI suggests for a file that is not UTF-8.
 */
describe('an import saved as UTF-16 with a byte order mark', () => {
  const sheet = 'name\temail\tkind\tterritories\r\nCafé Radio\tcafe@radio.example\tradio\tGB;FR\r\n';
  const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

  it.each([
    ['UTF-16LE', 'text/csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sheet, 'utf16le')])],
    ['UTF-16BE', 'text/csv', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(sheet)])],
    [
      'UTF-16LE',
      'text/csv; charset=windows-1252',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sheet, 'utf16le')]),
    ],
  ])('reads a %s file sent as %s by its byte order mark', async (_, contentType, body) => {
    const { call, deps, finished } = setup();

    const response = await call('POST', '/media-outlets/import', { body, contentType });

    expect(response.status).toBe(202);
    expect(await finished(response)).toMatchObject({
      status: 'done',
      result: { created: 1, rejectedCount: 0 },
    });
    expect(await deps.outlets.findByEmail('cafe@radio.example')).toMatchObject({
      name: 'Café Radio',
      territories: ['GB', 'FR'],
    });
  });
});
