import { describe, expect, it } from 'vitest';
import { outletRoutes } from '#functions/management/outlets.ts';
import { unsupportedCharset } from '#shared/http/errors.ts';
import { managementApi } from '#shared/http/manager-api.ts';
import { callApi } from '#test/support/api.ts';
import { anImportWorld } from '#test/support/jobs.ts';

// docs/design.md#routes-and-auth: a JSON body is UTF-8 (RFC 8259), as a webhook's is and a CSV's is in
// its charset; bytes that are not are a 400 naming the body, never a name stored with U+FFFD.
describe('an outlet posted as JSON in windows-1252, not UTF-8', () => {
  it('answers 400 saying the body is not UTF-8, and adds no outlet', async () => {
    const { world, deps } = anImportWorld();
    const api = managementApi('management', async () => 'key', outletRoutes(deps));
    const body = Buffer.from(
      '{"name":"Caf\xe9 Radio","email":"cafe@radio.example","kind":"radio","territories":["FR"]}',
      'latin1',
    );

    // Bytes that are not UTF-8 reach the function base64-encoded.
    const result = await callApi(api, { method: 'POST', route: '/media-outlets', body });

    expect({ status: result.status, issues: JSON.parse(result.body ?? '{}').issues }).toEqual({
      status: 400,
      issues: [{ path: '', message: 'body is not valid UTF-8' }],
    });
    expect([...world.outlets.outlets.values()]).toEqual([]);
  });
});

// docs/design.md#routes-and-auth: a JSON body labelled with another charset is refused as a webhook's
// is, a 415 naming the charset, rather than read as UTF-8 against its label.
describe('an outlet posted as JSON labelled charset=iso-8859-1', () => {
  it('answers 415 naming the charset, whether its bytes are Latin-1 or ASCII alone, and adds no outlet', async () => {
    const { world, deps } = anImportWorld();
    const api = managementApi('management', async () => 'key', outletRoutes(deps));
    const outlet = (name: string) =>
      Buffer.from(
        `{"name":"${name}","email":"cafe@radio.example","kind":"radio","territories":["FR"]}`,
        'latin1',
      );

    const results = [
      await callApi(api, {
        method: 'POST',
        route: '/media-outlets',
        body: outlet('Caf\xe9 Radio'),
        headers: { 'content-type': 'application/json; charset=iso-8859-1' },
      }),
      await callApi(api, {
        method: 'POST',
        route: '/media-outlets',
        body: outlet('Cafe Radio'),
        headers: { 'content-type': 'application/json; charset=ISO-8859-1' },
      }),
    ];

    expect(results.map((result) => [result.status, JSON.parse(result.body ?? '{}').message])).toEqual([
      [415, unsupportedCharset('iso-8859-1').message],
      [415, unsupportedCharset('iso-8859-1').message],
    ]);
    expect([...world.outlets.outlets.values()]).toEqual([]);
  });
});

// docs/design.md#routes-and-auth: a charset named empty (`charset=`, `charset=""`) names none, as the
// CSV import reads it: the body is read as UTF-8, as a webhook's is.
describe('an outlet posted as JSON whose Content-Type names an empty charset', () => {
  it('is read as UTF-8 and added', async () => {
    const { deps } = anImportWorld();
    const api = managementApi('management', async () => 'key', outletRoutes(deps));
    const outlet = (name: string, email: string) =>
      Buffer.from(JSON.stringify({ name, email, kind: 'radio', territories: ['FR'] }), 'utf8');

    const results = [
      await callApi(api, {
        method: 'POST',
        route: '/media-outlets',
        body: outlet('Café Radio', 'cafe@radio.example'),
        headers: { 'content-type': 'application/json; charset=' },
      }),
      await callApi(api, {
        method: 'POST',
        route: '/media-outlets',
        body: outlet('Crème Radio', 'creme@radio.example'),
        headers: { 'content-type': 'application/json; charset=""' },
      }),
    ];

    expect(results.map((result) => [result.status, JSON.parse(result.body ?? '{}').name])).toEqual([
      [201, 'Café Radio'],
      [201, 'Crème Radio'],
    ]);
  });
});

// docs/design.md#routes-and-auth: US-ASCII is a part of UTF-8, so a JSON body labelled so by any of its
// names is read as UTF-8 when it is ASCII, as a webhook's is; one holding a byte above 0x7F is not what its
// label says, a 400 naming the charset (the CSV import's words for the same mismatch).
describe('an outlet posted as JSON labelled US-ASCII', () => {
  const outlet = (name: string, email: string, encoding: BufferEncoding = 'utf8') =>
    Buffer.from(JSON.stringify({ name, email, kind: 'radio', territories: ['FR'] }), encoding);

  it('is read as UTF-8 and added by each of its names (us-ascii, US-ASCII, ascii, ANSI_X3.4-1968) when it is ASCII', async () => {
    const { deps } = anImportWorld();
    const api = managementApi('management', async () => 'key', outletRoutes(deps));
    const charsets = ['us-ascii', 'US-ASCII', 'ascii', '"ANSI_X3.4-1968"'];

    const results = [];
    for (const [index, charset] of charsets.entries())
      results.push(
        await callApi(api, {
          method: 'POST',
          route: '/media-outlets',
          body: outlet(`Radio ${index}`, `radio-${index}@ascii.example`),
          headers: { 'content-type': `application/json; charset=${charset}` },
        }),
      );

    expect(results.map((result) => [result.status, JSON.parse(result.body ?? '{}').name])).toEqual([
      [201, 'Radio 0'],
      [201, 'Radio 1'],
      [201, 'Radio 2'],
      [201, 'Radio 3'],
    ]);
  });

  it('answers 400 naming the charset when a byte is above 0x7F, UTF-8 or Latin-1, and adds no outlet', async () => {
    const { world, deps } = anImportWorld();
    const api = managementApi('management', async () => 'key', outletRoutes(deps));
    const utf8 = outlet('Café Radio', 'cafe@radio.example');
    const latin1 = outlet('Café Radio', 'cafe@radio.example', 'latin1');

    const results = [
      await callApi(api, {
        method: 'POST',
        route: '/media-outlets',
        body: utf8,
        headers: { 'content-type': 'application/json; charset=us-ascii' },
      }),
      await callApi(api, {
        method: 'POST',
        route: '/media-outlets',
        body: latin1,
        headers: { 'content-type': 'application/json; charset=ascii' },
      }),
    ];

    expect(results.map((result) => [result.status, JSON.parse(result.body ?? '{}').issues])).toEqual([
      [
        400,
        [
          {
            path: '',
            message: `is not valid us-ascii text: byte ${utf8.indexOf(0xc3)} is 0xC3, and US-ASCII has none above 0x7F (UTF-8 is charset=utf-8)`,
          },
        ],
      ],
      [
        400,
        [
          {
            path: '',
            message: `is not valid ascii text: byte ${latin1.indexOf(0xe9)} is 0xE9, and US-ASCII has none above 0x7F (UTF-8 is charset=utf-8)`,
          },
        ],
      ],
    ]);
    expect([...world.outlets.outlets.values()]).toEqual([]);
  });
});
