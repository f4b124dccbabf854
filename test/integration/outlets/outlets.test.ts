import { describe, expect, it } from 'vitest';
import { outletListKey } from '#shared/db/outlet-items.ts';
import { cursorAfter } from '#shared/db/outlet-listing.ts';
import type { Outlet } from '#shared/outlets.ts';
import { api, uniqueId } from '#test/support/cloud.ts';
import { csvImport, runJob, waitForJob } from '#test/support/jobs-cloud.ts';
import { createOutlet, localOutletDirectory, uniqueEmail } from '#test/support/outlets-cloud.ts';

describe('the media outlet directory', () => {
  it('creates, reads, replaces and deletes an outlet through the gateway', async () => {
    const email = uniqueEmail();

    const created = await api('/media-outlets', {
      method: 'POST',
      json: {
        name: 'Radio X',
        email: `  ${email.toUpperCase()} `,
        kind: 'radio',
        genres: ['Techno'],
        territories: ['gb'],
      },
    });
    const { id } = (await created.json()) as Outlet;
    const replaced = await api(`/media-outlets/${id}`, {
      method: 'PUT',
      json: {
        name: 'Radio X2',
        email: `new-${email}`,
        kind: 'press',
        genres: [],
        territories: ['WW'],
        contactName: 'Ann',
      },
    });
    const read = (await (await api(`/media-outlets/${id}`)).json()) as Outlet;
    const deleted = await api(`/media-outlets/${id}`, { method: 'DELETE' });
    const afterDelete = await api(`/media-outlets/${id}`);
    const reused = await api('/media-outlets', {
      method: 'POST',
      json: { name: 'Radio X3', email, kind: 'radio', territories: ['GB'] },
    });

    expect(created.status).toBe(201);
    expect(replaced.status).toBe(200);
    expect(read).toMatchObject({
      id,
      name: 'Radio X2',
      email: `new-${email}`,
      kind: 'press',
      territories: ['WW'],
      contactName: 'Ann',
    });
    expect(deleted.status).toBe(204);
    expect(afterDelete.status).toBe(404);
    expect(reused.status).toBe(201);
  });

  it('keeps one outlet per address: a duplicate create or a move onto a taken address is 409', async () => {
    const taken = await createOutlet();
    const other = await createOutlet();

    const duplicate = await api('/media-outlets', {
      method: 'POST',
      json: { name: 'Copy', email: taken.email.toUpperCase(), kind: 'blog', territories: ['GB'] },
    });
    const move = await api(`/media-outlets/${other.id}`, {
      method: 'PUT',
      json: { name: other.name, email: taken.email, kind: 'blog', territories: ['GB'] },
    });

    expect(duplicate.status).toBe(409);
    expect(move.status).toBe(409);
    expect((await localOutletDirectory().findByEmail(other.email))?.id).toBe(other.id);
  });

  it('frees the old address when an outlet moves to a new one', async () => {
    const outlet = await createOutlet();
    const newEmail = uniqueEmail('moved');

    await api(`/media-outlets/${outlet.id}`, {
      method: 'PUT',
      json: { name: outlet.name, email: newEmail, kind: outlet.kind, territories: outlet.territories },
    });
    const reuse = await api('/media-outlets', {
      method: 'POST',
      json: { name: 'Takes the old address', email: outlet.email, kind: 'blog', territories: ['GB'] },
    });

    expect(reuse.status).toBe(201);
    expect((await localOutletDirectory().findByEmail(newEmail))?.id).toBe(outlet.id);
  });

  it('answers 400 with the fields that are wrong', async () => {
    const response = await api('/media-outlets', {
      method: 'POST',
      json: { name: '', email: 'x', kind: 'zine', territories: [] },
    });

    expect(response.status).toBe(400);
    const body = (await response.json()) as { issues: { path: string }[] };
    expect(body.issues.map((issue) => issue.path).sort()).toEqual(['email', 'kind', 'name', 'territories']);
  });

  // docs/design.md#routes-and-auth: US-ASCII, by any of its names, is read as the UTF-8 it is a part of.
  it('adds an outlet posted as JSON labelled charset=ascii, and answers 400 naming the charset to one labelled US-ASCII holding a byte above 0x7F, through the gateway', async () => {
    const [ascii, notAscii] = [uniqueEmail(), uniqueEmail()];
    const post = (name: string, email: string, charset: string) => {
      const body = JSON.stringify({ name, email, kind: 'radio', territories: ['FR'] });
      return api('/media-outlets', {
        method: 'POST',
        headers: { 'content-type': `application/json; charset=${charset}` },
        body,
      });
    };
    const refusedBody = Buffer.from(
      JSON.stringify({ name: 'Café Radio', email: notAscii, kind: 'radio', territories: ['FR'] }),
    );

    const taken = await post('Cafe Radio', ascii, 'ascii');
    const refused = await post('Café Radio', notAscii, 'US-ASCII');

    expect([taken.status, ((await taken.json()) as Outlet).name]).toEqual([201, 'Cafe Radio']);
    expect([refused.status, ((await refused.json()) as { issues: unknown }).issues]).toEqual([
      400,
      [
        {
          path: '',
          message: `is not valid us-ascii text: byte ${refusedBody.indexOf(0xc3)} is 0xC3, and US-ASCII has none above 0x7F (UTF-8 is charset=utf-8)`,
        },
      ],
    ]);
    expect(await localOutletDirectory().findByEmail(notAscii)).toBeUndefined();
  });

  it('answers 400 naming a genre holding a control character or a line separator, and creates no outlet', async () => {
    const email = uniqueEmail();

    const answers = await Promise.all(
      ['Jazz\u0085', 'Jazz\u2028Funk'].map((genre) =>
        api('/media-outlets', {
          method: 'POST',
          json: { name: 'Radio Jazz', email, kind: 'radio', genres: ['soul', genre], territories: ['GB'] },
        }),
      ),
    );

    expect(answers.map((response) => response.status)).toEqual([400, 400]);
    for (const response of answers)
      expect(
        ((await response.json()) as { issues: { path: string }[] }).issues.map((issue) => issue.path),
      ).toEqual(['genres.1']);
    expect(await localOutletDirectory().findByEmail(email)).toBeUndefined();
  });

  it('answers 400 naming a radio format holding a control character or a line separator, and creates no outlet', async () => {
    const email = uniqueEmail();

    const answers = await Promise.all(
      ['A\u0085AA', 'Hot\u2028AC'].map((format) =>
        api('/media-outlets', {
          method: 'POST',
          json: { name: 'Radio Hot', email, kind: 'radio', territories: ['GB'], formats: ['CHR', format] },
        }),
      ),
    );

    expect(answers.map((response) => response.status)).toEqual([400, 400]);
    for (const response of answers)
      expect(
        ((await response.json()) as { issues: { path: string }[] }).issues.map((issue) => issue.path),
      ).toEqual(['formats.1']);
    expect(await localOutletDirectory().findByEmail(email)).toBeUndefined();
  });

  it('pages a filtered directory with an opaque cursor, each outlet once and in name order', async () => {
    const genre = uniqueId('genre');
    const prefix = uniqueId('Page');
    for (const n of [3, 1, 5, 2, 4]) {
      await createOutlet({ name: `${prefix} ${n}`, genres: [genre], territories: ['AQ'], kind: 'podcast' });
    }
    await createOutlet({
      name: `${prefix} other genre`,
      genres: ['other'],
      territories: ['AQ'],
      kind: 'podcast',
    });

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = new URLSearchParams({
        genre,
        territory: 'AQ',
        kind: 'podcast',
        limit: '2',
        ...(cursor ? { cursor } : {}),
      });
      const response = await api(`/media-outlets?${query}`);
      const page = (await response.json()) as { outlets: Outlet[]; nextCursor?: string };
      expect(page.outlets.length).toBeLessThanOrEqual(2);
      seen.push(...page.outlets.map((outlet) => outlet.name));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);

    const ours = seen.filter((name) => name.startsWith(prefix));
    expect(ours).toEqual([1, 2, 3, 4, 5].map((n) => `${prefix} ${n}`));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('ends a filtered listing on the page of its last outlet, with no cursor to an empty page after it', async () => {
    // Names after every other test's in the directory's order (its sort key is the lower-case name's
    // bytes: U+30000 is F0 B0 80 80), so the directory ends with this test's outlets.
    const prefix = `\u{30000} ${uniqueId('end')}`;
    const audience = { genres: [uniqueId('genre')], territories: ['BV'] };
    const last = await createOutlet({ name: `${prefix} a`, kind: 'tv', ...audience });
    await createOutlet({ name: `${prefix} b`, kind: 'press', ...audience });
    // The page read on from just before the first of them, as a cursor taken after an outlet named so would.
    const cursor = cursorAfter(outletListKey({ id: 'before', name: `${prefix} 0` }).gsi1sk);

    const response = await api(`/media-outlets?${new URLSearchParams({ kind: 'tv', limit: '1', cursor })}`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ outlets: [expect.objectContaining({ id: last.id })] });
  });

  it('imports a CSV, upserting by address and reporting the bad rows, through the gateway', async () => {
    const existing = await createOutlet({ name: 'Before import' });
    const fresh = uniqueEmail('fresh');
    const body = [
      'name,email,kind,genres,territories,contactName',
      `After import,${existing.email.toUpperCase()},radio,house;techno,GB;IE,`,
      `Fresh,${fresh},press,,WW,"Lee, Ann"`,
      'No address,,press,,GB,',
      `Bad territory,${uniqueEmail()},blog,,XX,`,
    ].join('\r\n');

    const { status, job } = await runJob(csvImport(body, 'text/csv; charset=utf-8'));
    const updated = (await (await api(`/media-outlets/${existing.id}`)).json()) as Outlet;
    const created = await localOutletDirectory().findByEmail(fresh);

    expect(status).toBe(202);
    expect(job).toMatchObject({ status: 'done', result: { created: 1, updated: 1, rejectedCount: 2 } });
    expect(job.result.rejected?.map((rejection) => rejection.line)).toEqual([4, 5]);
    expect(updated).toMatchObject({
      name: 'After import',
      genres: ['house', 'techno'],
      territories: ['GB', 'IE'],
    });
    expect(created).toMatchObject({ name: 'Fresh', contactName: 'Lee, Ann', territories: ['WW'] });
  });

  it.each([
    {
      column: 'genres',
      field: 'genre',
      header: 'name,email,kind,genres,territories',
      values: ['jazz,GB', 'jazz\u0085,GB', 'jazz;funk\u2028soul,GB'],
      kept: ['jazz'],
      shown: ['jazz\\u0085', 'funk\\u2028soul'],
    },
    {
      column: 'formats',
      field: 'radio format',
      header: 'name,email,kind,territories,formats',
      values: ['GB,AAA; Hot AC', 'GB,A\u0085AA', 'GB,AAA;Hot\u2028AC'],
      kept: ['AAA', 'Hot AC'],
      shown: ['A\\u0085AA', 'Hot\\u2028AC'],
    },
  ] as const)(
    'rejects the rows of an import whose $field holds a control character (U+0085) or a line separator, listing why, and imports the others',
    async ({ column, header, values, kept, shown }) => {
      const [fine, next, line] = ['fine', 'next', 'line'].map((name) => uniqueEmail(name));
      const body = [
        header,
        `Fine FM,${fine},radio,${values[0]}`,
        `Next FM,${next},radio,${values[1]}`,
        `Line FM,${line},radio,${values[2]}`,
      ].join('\r\n');

      const { status, job } = await runJob(csvImport(body, 'text/csv; charset=utf-8'));

      const controls =
        'must not hold control characters (U+0000-U+001F, U+007F-U+009F) or line separators (U+2028, U+2029), a tab or line break among them';
      expect(status).toBe(202);
      expect(job).toMatchObject({ status: 'done', result: { created: 1, updated: 0, rejectedCount: 2 } });
      expect(job.result.rejected).toEqual([
        // Each item named as the cell holds it, its invisible characters written out.
        { line: 3, error: `${column} "${shown[0]}": ${controls}` },
        { line: 4, error: `${column} "${shown[1]}": ${controls}` },
      ]);
      expect(
        await Promise.all([next, line].map((email) => localOutletDirectory().findByEmail(email))),
      ).toEqual([undefined, undefined]);
      expect((await localOutletDirectory().findByEmail(fine))?.[column]).toEqual(kept);
    },
  );

  it('imports names and addresses alone without emptying the genres, contact or formats of the outlets it updates, through the gateway', async () => {
    const described = {
      kind: 'radio' as const,
      genres: ['techno'],
      contactName: 'Ann Lee',
      formats: ['AAA'],
    };
    const existing = await createOutlet({ name: 'Before import', ...described });

    const { job } = await runJob(
      csvImport(`name,email,kind,territories\r\nAfter import,${existing.email},radio,GB;IE`),
    );
    const updated = (await (await api(`/media-outlets/${existing.id}`)).json()) as Outlet;

    expect(job).toMatchObject({ status: 'done', result: { updated: 1, rejectedCount: 0 } });
    expect(updated).toMatchObject({ name: 'After import', territories: ['GB', 'IE'], ...described });
  });

  it('imports 2,000 rows as a job to completion, reporting the rejected rows with their line numbers', async () => {
    const prefix = uniqueId('bulk');
    // Names after every letter: 2,000 outlets must not fill the first pages of the shared directory other tests read.
    const badLines = new Set([2, 501, 1_000, 1_502, 2_001]);
    const lines = Array.from({ length: 2_000 }, (_, index) => {
      const line = index + 2;
      return badLines.has(line)
        ? `Bad ${line},not-an-address-${line},radio,,GB`
        : `~${prefix} ${line},${prefix}-${line}@bulk.example,radio,techno,GB`;
    });
    const started = Date.now();

    const accepted = await csvImport(['name,email,kind,genres,territories', ...lines].join('\n'));
    const answeredInMs = Date.now() - started;
    const { jobId } = (await accepted.json()) as { jobId: string };
    const job = await waitForJob(jobId, 170_000);
    const tookMs = Date.now() - started;
    const sample = await localOutletDirectory().findByEmail(`${prefix}-1234@bulk.example`);

    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('location')).toBe(`/jobs/${jobId}`);
    expect(job).toMatchObject({
      status: 'done',
      progress: { done: 2_000, total: 2_000 },
      result: { created: 1_995, updated: 0, rejectedCount: 5 },
    });
    expect(job.result.rejected?.map((rejection) => rejection.line)).toEqual([...badLines]);
    expect(job.result.rejected?.[0].error).toMatch(/^email/);
    expect(sample).toMatchObject({ name: `~${prefix} 1234`, genres: ['techno'] });
    console.info(
      `import job: 2,000 rows answered 202 in ${answeredInMs} ms, done in ${tookMs} ms (${Math.round(2_000 / (tookMs / 1000))} rows/s)`,
    );
  }, 180_000);

  it('imports a row whose quoted cell goes on over lines at the end of a page as one row, numbering the rows of the next page by their lines', async () => {
    const prefix = uniqueId('multi');
    const row = (i: number) => `~${prefix} ${i},${prefix}-${i}@multi.example,radio,techno,GB`;
    // Row 500 ends the first page (500 rows a page) and goes on over lines 501 to 504 (CRLF, LF, CR).
    const body = [
      'name,email,kind,genres,territories',
      ...Array.from({ length: 499 }, (_, i) => row(i + 1)),
      `~${prefix} 500,${prefix}-500@multi.example,radio,"techno\r\nhouse\ndisco\rsoul",GB`,
      row(501),
      `Bad,not-an-address,radio,,GB`,
      `"Two\nLines",${prefix}-two@multi.example,radio,,GB`,
    ].join('\r\n');

    const accepted = await csvImport(body);
    const job = await waitForJob(((await accepted.json()) as { jobId: string }).jobId, 170_000);
    const spanning = await localOutletDirectory().findByEmail(`${prefix}-500@multi.example`);
    const after = await localOutletDirectory().findByEmail(`${prefix}-501@multi.example`);

    expect(job).toMatchObject({
      status: 'done',
      progress: { done: 503, total: 503 },
      result: { created: 501, updated: 0, rejectedCount: 2 },
    });
    expect(job.result.rejected).toEqual([
      { line: 506, error: 'email "not-an-address": must be an email address' },
      { line: 507, error: 'name "Two\\u000aLines": holds a line break, and a name is one line' },
    ]);
    expect(spanning).toMatchObject({ genres: ['techno', 'house', 'disco', 'soul'] });
    expect(after).toMatchObject({ name: `~${prefix} 501` });
  }, 180_000);

  it('imports an address given on several lines of one file as one outlet, each line updating what the line before it left, counted once and the later lines listed', async () => {
    const email = uniqueEmail('twice');
    const body = [
      'name,email,kind,genres,territories,contactName',
      ...['GB', 'IE', 'DE', 'FR', 'NL'].map((territory) => `Line ${territory},${email},press,,${territory},`),
      `Later,${email},radio,,IE,`,
    ].join('\r\n');

    const { job } = await runJob(csvImport(body));
    const outlet = await localOutletDirectory().findByEmail(email);

    expect(job).toMatchObject({
      status: 'done',
      result: { created: 1, updated: 0, rejectedCount: 0, repeatedCount: 5 },
    });
    expect(job.result.repeated).toEqual([3, 4, 5, 6, 7].map((line) => ({ line, email, earlierLine: 2 })));
    expect(outlet).toMatchObject({ name: 'Later', kind: 'radio', territories: ['IE'] });
  });

  it('lists a row that repeats the address of a row on an earlier page, counting the outlet once and keeping what the later row says', async () => {
    const prefix = uniqueId('again');
    const row = (i: number, name = `~${prefix} ${i}`) =>
      `${name},${prefix}-${i}@repeat.example,radio,techno,GB`;
    // 500 rows a page: line 2 is on page 0, lines 560 and 600 on page 1.
    const body = [
      'name,email,kind,genres,territories',
      ...Array.from({ length: 600 }, (_, i) =>
        i === 558 ? row(1, 'Later name') : i === 598 ? row(400, 'Latest name') : row(i + 1),
      ),
    ].join('\n');

    const accepted = await csvImport(body);
    const job = await waitForJob(((await accepted.json()) as { jobId: string }).jobId, 170_000);
    const first = await localOutletDirectory().findByEmail(`${prefix}-1@repeat.example`);
    const other = await localOutletDirectory().findByEmail(`${prefix}-400@repeat.example`);

    expect(job).toMatchObject({
      status: 'done',
      progress: { done: 600, total: 600 },
      result: { created: 598, updated: 0, rejectedCount: 0, repeatedCount: 2 },
    });
    expect(job.result.repeated).toEqual([
      { line: 560, email: `${prefix}-1@repeat.example`, earlierLine: 2 },
      { line: 600, email: `${prefix}-400@repeat.example`, earlierLine: 401 },
    ]);
    expect(first).toMatchObject({ name: 'Later name' });
    expect(other).toMatchObject({ name: 'Latest name' });
  }, 180_000);

  it('imports the same file a second time without changing any outlet it holds', async () => {
    const first = uniqueEmail('again');
    const second = uniqueEmail('again');
    const body = [
      'name,email,kind,genres,territories,contactName',
      `Radio Again,${first},radio,house;techno,GB;IE,Ann Lee`,
      `Blog Again,${second},blog,,WW,`,
    ].join('\r\n');
    const read = async (email: string) => {
      const outlet = await localOutletDirectory().findByEmail(email);
      return (await (await api(`/media-outlets/${outlet!.id}`)).json()) as Outlet;
    };

    const once = await runJob(csvImport(body));
    const afterOnce = [await read(first), await read(second)];
    const twice = await runJob(csvImport(body));
    const afterTwice = [await read(first), await read(second)];

    expect(once.job).toMatchObject({ status: 'done', result: { created: 2, rejectedCount: 0 } });
    expect(twice.job).toMatchObject({ status: 'done', result: { created: 0, rejectedCount: 0 } });
    expect(afterTwice).toEqual(afterOnce);
  });

  it('answers 400 naming the header for an import it cannot read, and starts no job', async () => {
    const response = await csvImport('name,mail\nA,a@x.example');

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ issues: [{ path: '' }] });
  });

  it('answers 404 for a job that does not exist, and 400 naming the id for one too long to be one', async () => {
    const unknown = await api('/jobs/job-00000000-0000-4000-8000-000000000000');
    const malformed = await api(`/jobs/${'x'.repeat(2_000)}`);

    expect([unknown.status, malformed.status]).toEqual([404, 400]);
  });

  it('answers 415 for an import that is not CSV', async () => {
    const response = await csvImport('{"name":"x"}', 'application/json');

    expect(response.status).toBe(415);
  });
});
