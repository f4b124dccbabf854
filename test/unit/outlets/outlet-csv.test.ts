import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCsv } from '#shared/csv.ts';
import {
  chunkOutletCsv,
  fieldsOf,
  isBlankLine,
  parseOutletCsv,
  parseOutletRows,
  readOutletCsv,
} from '#shared/outlet-csv.ts';

const header = 'name,email,kind,genres,territories,contactName';
const csv = (...lines: string[]) => [header, ...lines].join('\n');

describe('parseOutletCsv', () => {
  it('reads one outlet per line, with lists separated by semicolons', () => {
    const parsed = parseOutletCsv(
      csv(
        'Radio X,News@Radio-X.example,radio,techno; house,gb;IE,Ann Lee',
        'Blog Y,y@blog.example,blog,,WW,',
      ),
    );

    expect(parsed).toEqual({
      ok: true,
      rejected: [],
      rows: [
        {
          line: 2,
          input: {
            name: 'Radio X',
            email: 'news@radio-x.example',
            kind: 'radio',
            genres: ['techno', 'house'],
            territories: ['GB', 'IE'],
            contactName: 'Ann Lee',
          },
        },
        {
          line: 3,
          input: { name: 'Blog Y', email: 'y@blog.example', kind: 'blog', genres: [], territories: ['WW'] },
        },
      ],
    });
  });

  it('reads a radio outlet’s formats from a formats column separated by semicolons, and refuses them on press', () => {
    const parsed = parseOutletCsv(
      [
        'name,email,kind,territories,formats',
        'Radio X,x@radio.example,radio,GB,AAA; CHR;specialist',
        'Paper Y,y@paper.example,press,GB,AAA',
        'Radio Z,z@radio.example,radio,GB,',
      ].join('\n'),
    );

    expect(parsed.ok && parsed.rows.map((row) => row.input.formats)).toEqual([
      ['AAA', 'CHR', 'specialist'],
      undefined,
    ]);
    expect(parsed.ok && parsed.rejected).toEqual([
      { line: 3, error: 'formats: only radio outlets have formats' },
    ]);
  });

  it('reads a kind as the other cells are read, trimmed in its quotes and in any case, and names a kind it refuses by the cell', () => {
    const parsed = parseOutletCsv(
      csv(
        'Radio,r@x.example," radio ",,GB,',
        'Telly,t@x.example,"\tTV ",,GB,',
        'Station,s@x.example,"Radio Station",,GB,',
      ),
    );

    expect(parsed.ok && parsed.rows.map((row) => row.input.kind)).toEqual(['radio', 'tv']);
    expect(parsed.ok && parsed.rejected).toEqual([
      {
        line: 4,
        error: 'kind "Radio Station": must be one of radio, press, blog, playlist, tv, podcast',
      },
    ]);
  });

  it('keeps a genre or a radio format once when a row names it again in another case, as the first spelling', () => {
    const parsed = parseOutletCsv(
      [
        'name,email,kind,genres,territories,formats',
        'Radio,r@x.example,radio,Indie;indie; INDIE ;Folk,GB,AAA;aaa;Hot AC;hot ac',
      ].join('\n'),
    );

    expect(parsed.ok && parsed.rows.map((row) => [row.input.genres, row.input.formats])).toEqual([
      [
        ['Indie', 'Folk'],
        ['AAA', 'Hot AC'],
      ],
    ]);
  });

  it('rejects bad rows with their line and keeps reading the good ones after them', () => {
    const parsed = parseOutletCsv(
      csv(
        'Good 1,g1@x.example,radio,,GB,',
        'No Email,,press,,GB,',
        'Broken "quote,b@x.example,press,,GB,',
        '"Unclosed,u@x.example,press,,GB,',
        'Too,many,fields,,GB,,,,',
        'Bad Kind,k@x.example,zine,,GB,',
        '',
        'Good 2,g2@x.example,tv,,XX;GB,',
        'Good 3,"g3@x.example",podcast,"jazz;folk",US,"Lee, Ann"',
      ),
    );

    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.rows.map((row) => [row.line, row.input.email])).toEqual([
      [2, 'g1@x.example'],
      [10, 'g3@x.example'],
    ]);
    expect(parsed.rows[1].input.contactName).toBe('Lee, Ann');
    expect(parsed.rejected.map((rejection) => rejection.line)).toEqual([3, 4, 5, 6, 7, 9]);
    expect(parsed.rejected.find((r) => r.line === 3)?.error).toMatch(/^email: /);
    expect(parsed.rejected.find((r) => r.line === 7)?.error).toMatch(/^kind "zine": /);
    expect(parsed.rejected.find((r) => r.line === 9)?.error).toMatch(/^territories "XX": /);
  });

  it('accepts the columns in any order and in any case, without the optional ones', () => {
    const parsed = parseOutletCsv('\uFEFFTerritories,EMAIL,Name,kind\r\nGB,a@x.example,A,radio\r\n');

    expect(parsed).toEqual({
      ok: true,
      rejected: [],
      rows: [
        {
          line: 2,
          input: { name: 'A', email: 'a@x.example', kind: 'radio', genres: [], territories: ['GB'] },
        },
      ],
    });
  });

  it('reads a sheet saved with empty cells after its last column, in the header and in the rows', () => {
    const parsed = parseOutletCsv(
      [
        'name,email,kind,genres,territories,,',
        'A,a@x.example,radio,jazz,GB,,',
        'B,b@x.example,press,,FR',
        'C,c@x.example,press,,FR,, ,,',
        'D,d@x.example,press,,FR,,x',
      ].join('\r\n'),
    );

    expect(parsed.ok && parsed.rows.map((row) => row.input.email)).toEqual([
      'a@x.example',
      'b@x.example',
      'c@x.example',
    ]);
    expect(parsed.ok && parsed.rejected).toEqual([
      { line: 5, error: 'has text in field 7, after the header’s 5 columns' },
    ]);
  });

  it('names by its position a header cell with no name before the last named one', () => {
    expect(parseOutletCsv('name,email,,kind,territories\nA,a@x.example,,radio,GB')).toEqual({
      ok: false,
      error: 'header row: column 3 has no name',
    });
  });

  it('refuses a file whose header lacks a required column or names an unknown one', () => {
    expect(parseOutletCsv('name,kind,territories\nA,radio,GB')).toEqual({
      ok: false,
      error: 'header row: missing column(s) email',
    });
    // A media list kept in a spreadsheet has columns of its own (phone, notes): it says which the import takes.
    expect(parseOutletCsv(`${header},phone,Contact Name\n`)).toEqual({
      ok: false,
      error:
        'header row: unknown column(s) phone, Contact Name; an import takes name, email, kind, territories and, if given, genres, contactName, formats (in any order and case), and no other',
    });
    expect(parseOutletCsv('  \n')).toEqual({ ok: false, error: 'the CSV is empty: expected a header row' });
  });

  it('names a list’s item that is wrong by what the cell holds, rather than by its index', () => {
    const parsed = parseOutletCsv(
      csv(
        'Paper,p@x.example,press,techno,"GB, DE",',
        'Radio,r@x.example,radio,techno,FR;UK,',
        'Blog,b@x.example,blog,techno;,WW,',
      ),
    );

    expect(parsed.ok && parsed.rejected).toEqual([
      {
        line: 2,
        error: 'territories "GB, DE": must be an ISO 3166-1 alpha-2 code such as GB, or WW for worldwide',
      },
      { line: 3, error: 'territories "UK": is not an ISO 3166-1 alpha-2 country code' },
    ]);
  });

  it('reads a quoted cell over two lines as one cell of one row, and refuses it by the cell where its column is one line', () => {
    // A spreadsheet quotes a cell holding a line break (Alt+Enter) and saves it over two lines.
    const parsed = parseOutletCsv(
      csv(
        'Paper,p@x.example,press,techno,GB,"Ann Lee',
        'Head of Music"',
        'Blog,b@x.example,blog,,WW,Bo "B" Lee',
      ),
    );

    expect(parsed.ok && parsed.rejected).toEqual([
      {
        line: 2,
        error:
          'contactName "Ann Lee\\u000aHead of Music": holds a line break, and a contact name is one line',
      },
      { line: 4, error: 'field 6 (contactName): a quote inside a field not in quotes' },
    ]);
  });

  it('reads quoted cells holding LF, CRLF and CR line breaks as one row each, numbered by their first line, a list one item a line', () => {
    const text = [
      header,
      'Radio A,a@x.example,radio,"techno',
      'house",GB,',
      'Radio B,b@x.example,radio,"techno\r\nhouse\r\ndisco",GB,',
      '"Radio\rC",c@x.example,radio,,GB,',
      '"Radio D","d@x.example',
      '",radio,,GB,"Ann',
      'Lee"',
      'Radio E,e@x.example,radio,,GB,',
    ].join('\r\n');

    const parsed = parseOutletCsv(text);

    expect(parsed.ok && parsed.rows.map((row) => [row.line, row.input.email, row.input.genres])).toEqual([
      [2, 'a@x.example', ['techno', 'house']],
      [4, 'b@x.example', ['techno', 'house', 'disco']],
      [12, 'e@x.example', []],
    ]);
    expect(parsed.ok && parsed.rejected).toEqual([
      { line: 7, error: 'name "Radio\\u000aC": holds a line break, and a name is one line' },
      {
        line: 9,
        error:
          'email "d@x.example\\u000a": holds a line break, and an address is one line; contactName "Ann\\u000aLee": holds a line break, and a contact name is one line',
      },
    ]);
  });

  it('reads a quote that no line closes as a refused row of its own line, and the lines after it as rows', () => {
    const parsed = parseOutletCsv(
      csv(
        '"Radio A,a@x.example,radio,,GB,',
        'Radio B,b@x.example,radio,,GB,',
        'Radio C,c@x.example,radio,,GB,',
      ),
    );

    expect(parsed.ok && parsed.rows.map((row) => row.line)).toEqual([3, 4]);
    expect(parsed.ok && parsed.rejected).toEqual([
      {
        line: 2,
        error:
          'field 1 (name): a quote is left open; a cell in quotes may go on over several lines, but the lines after it do not close it in a row that can be read',
      },
    ]);
  });

  it('reads rows written with line breaks in their cells (RFC 4180, as a spreadsheet saves them) as they were written, each at its first line', () => {
    const breaks = fc.constantFrom('\n', '\r\n', '\r');
    const genres = fc.array(fc.constantFrom('techno', 'house', 'jazz', 'soul'), { maxLength: 3 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(genres, breaks), { minLength: 1, maxLength: 12 }),
        breaks,
        (rows, lineEnd) => {
          const text = toCsv(
            ['name', 'email', 'kind', 'genres', 'territories'],
            rows.map(([items, inCell], i) => ({
              name: `Outlet ${i}`,
              email: `o${i}@x.example`,
              kind: 'radio',
              genres: items.join(inCell),
              territories: 'GB',
            })),
          ).replaceAll('\r\n', lineEnd);
          let line = 2;
          const expected = rows.map(([items], i) => {
            const at = line;
            line += Math.max(1, items.length);
            return [at, `o${i}@x.example`, [...new Set(items)]];
          });

          const parsed = parseOutletCsv(text);

          expect(parsed.ok && parsed.rejected).toEqual([]);
          expect(
            parsed.ok && parsed.rows.map((row) => [row.line, row.input.email, row.input.genres]),
          ).toEqual(expected);
        },
      ),
    );
  });

  it('reads an address pasted with invisible characters (a zero-width space, a joiner, a stray byte order mark) as the address shown', () => {
    const parsed = parseOutletCsv(
      csv(
        'Web,\u200bdesk@web.example\u200b,press,,GB,',
        'Joined,desk\u2060@joined.example,press,,GB,',
        'Marked,\ufeffdesk@marked.example,press,,GB,',
      ),
    );

    expect(parsed.ok && parsed.rejected).toEqual([]);
    expect(parsed.ok && parsed.rows.map((row) => row.input.email)).toEqual([
      'desk@web.example',
      'desk@joined.example',
      'desk@marked.example',
    ]);
  });

  it('names an address it refuses by what the cell holds (two addresses in one cell, a mailto: link)', () => {
    const parsed = parseOutletCsv(
      csv('Two,"desk@two.example; news@two.example",press,,GB,', 'Link,mailto:desk@link.example,press,,GB,'),
    );

    expect(parsed.ok && parsed.rejected).toEqual([
      { line: 2, error: 'email "desk@two.example; news@two.example": must be an email address' },
      { line: 3, error: 'email "mailto:desk@link.example": must be an email address' },
    ]);
  });

  it('takes an address whose domain is international with the domain in ASCII (punycode), and refuses one whose local part is not ASCII', () => {
    const parsed = parseOutletCsv(
      csv('Bücher,Desk@Bücher.example,press,,DE,', 'Ünï,müller@zeitung.example,press,,DE,'),
    );

    expect(parsed.ok && parsed.rows.map((row) => [row.line, row.input.email])).toEqual([
      [2, 'desk@xn--bcher-kva.example'],
    ]);
    expect(parsed.ok && parsed.rejected).toEqual([
      {
        line: 3,
        error:
          'email "müller@zeitung.example": the part before @ must be ASCII (SES sends to no address whose local part is not)',
      },
    ]);
  });

  it('takes a line of empty cells for a blank line, and a line with any text in a cell for a row', () => {
    const lines = ['', '   ', ',,,,', ' , , , , ', '"","",,', ',,x,,', '",",,,', '"'];

    const blank = lines.map((line) => isBlankLine(line, ','));
    const semicolons = lines.map((line) => isBlankLine(line.replaceAll(',', ';'), ';'));
    const tabs = ['\t\t\t', ' \t \t ', '""\t\t', '\tx\t'].map((line) => isBlankLine(line, '\t'));

    expect(blank).toEqual([true, true, true, true, true, false, false, false]);
    expect(semicolons).toEqual([true, true, true, true, true, false, false, false]);
    expect(tabs).toEqual([true, true, true, false]);
  });

  it('accounts for every non-blank line, whatever the lines hold (a line with an even number of quotes is one row)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme-ascii', maxLength: 60 }), { maxLength: 20 }),
        (lines) => {
          // An odd number of quotes may open a cell going on over the lines after it: one row for several.
          const rows = lines
            .map((line) => line.replace(/[\r\n]/g, ' '))
            .map((line) => (line.split('"').length % 2 === 0 ? `${line}"` : line));

          const parsed = parseOutletCsv(csv(...rows));

          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          const seen = [...parsed.rows.map((row) => row.line), ...parsed.rejected.map((r) => r.line)].sort(
            (a, b) => a - b,
          );
          const expected = rows.flatMap((row, i) => (isBlankLine(row, ',') ? [] : [i + 2]));
          expect(seen).toEqual(expected);
        },
      ),
    );
  });
});

describe('chunkOutletCsv', () => {
  const limits = { maxRows: 3, maxBytes: 200, maxLineBytes: 60 };
  const row = (i: number) => `Outlet ${i},o${i}@x.example,radio,,GB`;

  it('cuts the lines after the header into chunks by rows and bytes, keeping their line numbers', () => {
    const lines = [row(1), '', row(2), row(3), row(4), row(5), row(6), row(7)];

    const chunks = chunkOutletCsv(lines, 2, limits);

    expect(chunks.map((chunk) => [chunk.firstLine, chunk.rows])).toEqual([
      [2, 3],
      [6, 3],
      [9, 1],
    ]);
    expect(chunks.every((chunk) => Buffer.byteLength(chunk.text) <= limits.maxBytes)).toBe(true);
    const reread = chunks.flatMap(
      (chunk) =>
        parseOutletRows(
          ['name', 'email', 'kind', 'genres', 'territories'],
          chunk.text.split('\n'),
          chunk.firstLine,
        ).rows,
    );
    expect(reread.map((r) => [r.line, r.input.name])).toEqual(
      [2, 4, 5, 6, 7, 8, 9].map((line, i) => [line, `Outlet ${i + 1}`]),
    );
  });

  it('keeps a row over several lines in one chunk, and numbers the rows of the next chunk by their lines', () => {
    const read = readOutletCsv(
      [
        'name,email,kind,genres,territories',
        row(1),
        row(2),
        'Outlet 3,o3@x.example,radio,"techno',
        'house',
        'disco",GB',
        row(4),
      ].join('\n'),
    );

    const chunks = read.ok ? chunkOutletCsv(read.records, read.firstLine, { ...limits, maxRows: 2 }) : [];
    const reread = chunks.map(
      (chunk) => parseOutletRows(read.ok ? read.columns : [], chunk.text.split('\n'), chunk.firstLine).rows,
    );

    expect(chunks.map((chunk) => [chunk.firstLine, chunk.rows])).toEqual([
      [2, 2],
      [4, 2],
    ]);
    expect(reread.map((rows) => rows.map((r) => [r.line, r.input.genres]))).toEqual([
      [
        [2, []],
        [3, []],
      ],
      [
        [4, ['techno', 'house', 'disco']],
        [7, []],
      ],
    ]);
  });

  it('rejects a line too long to be an outlet without storing it', () => {
    const long = `Long,l@x.example,radio,,${'GB;'.repeat(40)}GB`;

    const [chunk] = chunkOutletCsv([row(1), long, row(2)], 2, limits);

    expect(chunk.rows).toBe(3);
    expect(chunk.text).not.toContain('Long');
    expect(chunk.rejected).toEqual([{ line: 3, error: 'is longer than 60 bytes' }]);
  });

  it('accounts for every non-blank line exactly once, whatever the limits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(''), fc.constant(' ,,, '), fc.string({ maxLength: 80 })), {
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 20, max: 400 }),
        (lines, maxRows, maxBytes) => {
          const chunks = chunkOutletCsv(lines, 2, { maxRows, maxBytes, maxLineBytes: 100 });

          expect(chunks.reduce((sum, chunk) => sum + chunk.rows, 0)).toBe(
            lines.filter((line) => !isBlankLine(line, ',')).length,
          );
          expect(chunks.flatMap((chunk) => chunk.text.split('\n')).length).toBe(Math.max(1, lines.length));
          expect(chunks.every((chunk) => chunk.rows <= maxRows)).toBe(true);
        },
      ),
    );
  });
});

describe('fieldsOf', () => {
  /** What csv-parse reads from one line with the options the import used before: its fields, or that it refuses it. */
  const csvParse = (line: string, delimiter: ',' | ';' = ',') => {
    try {
      return (parse(line, { trim: true, relax_column_count: true, delimiter }) as string[][])[0];
    } catch {
      return 'refused';
    }
  };
  const ours = (line: string, separator: ',' | ';' = ',') => {
    try {
      return fieldsOf(line, separator);
    } catch {
      return 'refused';
    }
  };

  it.each([',', ';'] as const)(
    'reads a line separated by %s as csv-parse did (quotes, doubled quotes, white space trimmed), and refuses every line it refused',
    (separator) => {
      const line = fc
        .array(fc.constantFrom('a', 'é', ' ', '\t', ',', '"', '""', ';'), { minLength: 1, maxLength: 16 })
        .map((parts) => parts.join(''))
        .filter((text) => text.trim().length > 0);

      fc.assert(
        fc.property(line, (text) => {
          const read = ours(text, separator);
          // Stricter only where csv-parse let text follow a closing quote (`"" ""` read as one field).
          if (read !== 'refused' || csvParse(text, separator) === 'refused')
            expect(read).toEqual(csvParse(text, separator));
        }),
        { numRuns: 3000 },
      );
    },
  );

  it('reads a tab-separated line, keeping the empty fields between its tabs', () => {
    expect(fieldsOf('Radio X\t x@radio.example \t\tGB;DE\t', '\t')).toEqual([
      'Radio X',
      'x@radio.example',
      '',
      'GB;DE',
      '',
    ]);
    expect(fieldsOf('\t"a,b"\t', '\t')).toEqual(['', 'a,b', '']);
  });

  it('reads back any fields written as RFC 4180 quotes them', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'é', ' ', ',', '"', ';'), maxLength: 8 });
    const quoted = (value: string) => `"${value.replaceAll('"', '""')}"`;

    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 6 }), (fields) => {
        expect(fieldsOf(fields.map(quoted).join(' , '))).toEqual(fields);
      }),
    );
  });

  it('names the field whose quote is wrong', () => {
    expect(() => fieldsOf('a,"b')).toThrow('field 2: a quote is left open');
    expect(() => fieldsOf('a,b"c')).toThrow('field 2: a quote inside a field not in quotes');
    expect(() => fieldsOf('"a"b,c')).toThrow('field 1: text after its closing quote');
  });
});
