import { describe, expect, it } from 'vitest';
import { describeJob } from '#functions/management/jobs.ts';
import { startImport } from '#functions/management/outlets.ts';
import { anImportWorld } from '#test/support/jobs.ts';

/**
 * A spreadsheet saves "CSV" with the list separator of its locale: Excel and LibreOffice in much of
 * Europe (where the comma is the decimal mark) separate cells with `;`, and quote a cell that holds one
 * (`"techno;house"`); Excel's "Unicode Text" separates them with tabs. The header says which: its
 * names hold none of the three.
 */
describe('an import from a spreadsheet that separates its cells with semicolons or tabs', () => {
  it.each([
    [
      'semicolons',
      [
        'name;email;kind;genres;territories',
        'Radio One;one@x.example;radio;"techno;house";"GB;DE"',
        'Paper;paper@x.example;press;;FR',
        ';;;;',
      ],
    ],
    [
      'tabs',
      [
        'name\temail\tkind\tgenres\tterritories',
        'Radio One\tone@x.example\tradio\ttechno;house\tGB;DE',
        'Paper\tpaper@x.example\tpress\t\tFR',
        '\t\t\t\t',
      ],
    ],
  ])('reads a file separated by %s as it reads one separated by commas', async (_, lines) => {
    const { world, deps } = anImportWorld();

    const job = await startImport(lines.join('\r\n'), deps);
    await world.drain();

    expect(await describeJob(job.jobId, world.routes)).toMatchObject({
      status: 'done',
      result: { created: 2, rejectedCount: 0 },
    });
    expect((await world.outlets.findByEmail('one@x.example'))?.genres).toEqual(['techno', 'house']);
    expect((await world.outlets.findByEmail('one@x.example'))?.territories).toEqual(['GB', 'DE']);
  });
});

/**
 * Excel writes `sep=;` (or `sep=,`, `sep=<tab>`) as the first line of a CSV when asked for its
 * separator, and reads it back as such: the line names the separator, and the header follows.
 */
describe('an import whose first line names its separator (Excel’s sep=)', () => {
  it.each([
    ['sep=;', ';'],
    ['sep=,', ','],
    ['\uFEFFSEP=;', ';'],
    ['sep=\t', '\t'],
  ])(
    'reads the file after %j with the separator it names, numbering rows by the file’s lines',
    async (first, separator) => {
      const { world, deps } = anImportWorld();
      const lines = [
        first,
        ['name', 'email', 'kind', 'genres', 'territories'].join(separator),
        ['Radio One', 'one@x.example', 'radio', '"techno;house"', 'GB'].join(separator),
        ['No Kind', 'none@x.example', '', '', 'GB'].join(separator),
      ];

      const job = await startImport(lines.join('\r\n'), deps);
      await world.drain();

      expect(await describeJob(job.jobId, world.routes)).toMatchObject({
        status: 'done',
        result: { created: 1, rejectedCount: 1, rejected: [{ line: 4 }] },
      });
      expect((await world.outlets.findByEmail('one@x.example'))?.genres).toEqual(['techno', 'house']);
    },
  );

  it('refuses a file whose sep= line names a separator the import does not read, naming it', async () => {
    const { deps } = anImportWorld();

    await expect(
      startImport('sep=|\r\nname|email|kind|territories\r\nA|a@x.example|radio|GB', deps),
    ).rejects.toMatchObject({
      body: {
        issues: [
          {
            path: '',
            message: 'line 1: sep=| names a separator an import does not read; it reads a comma, ; or a tab',
          },
        ],
      },
    });
  });
});
