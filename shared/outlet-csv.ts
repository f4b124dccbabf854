import './zod-messages.ts';
import { OutletInput } from './outlet-input.ts';
import { type OptionalOutletField, optionalOutletFields } from './outlets.ts';

/**
 * The outlet import's CSV: a header row naming `name,email,kind,genres,territories,contactName,formats` (any
 * order; `genres`, `contactName` and `formats` (radio only) may be left out), then one outlet per line, lists
 * separated by `;`. Cells are separated by commas, or as the header separates its names, by `;` or tabs
 * (`separatorOf`: a spreadsheet saves "CSV" with its locale's list separator), or as Excel's first line
 * `sep=;` names (`separatorNamed`), the header after it. A column left out says nothing: an outlet the import updates keeps its own value
 * (`leftOutOf`), a new one takes the default; a column given with an empty cell empties the field.
 *
 * A row is one line, or (RFC 4180) the lines a cell in quotes goes on over: a spreadsheet saves a cell
 * holding a line break (Alt+Enter) so, in quotes, with CR, LF or CRLF (`recordsOf`). A quote that the
 * lines after it do not close in a row that can be read (within `maxRowLines` and `maxRowBytes`) is a
 * refused row of its own line, so a broken quote cannot swallow the rows after it (a parser reading the
 * whole text resynchronises only at the next quote): a bad row never stops the good ones. Rows are split
 * here rather than by a CSV library of 30 KB in each bundle that reads an import (see
 * docs/design.md#bundles).
 */

export interface CsvRow {
  line: number;
  input: OutletInput;
}

export interface CsvRejection {
  line: number;
  error: string;
}

export type ParsedCsv =
  | { ok: true; rows: CsvRow[]; rejected: CsvRejection[] }
  /** The file as a whole cannot be read (no header, unknown columns): nothing is imported. */
  | { ok: false; error: string };

const required = ['name', 'email', 'kind', 'territories'] as const;
const known = new Set<string>([...required, ...optionalOutletFields]);
const byLowerCase = new Map([...known].map((column) => [column.toLowerCase(), column]));

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(/[;\n]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

/**
 * What separates a file's cells: a comma, or the `;` or tab of a spreadsheet whose locale separates
 * with it (Excel and LibreOffice where the comma is the decimal mark; Excel's "Unicode Text"). No
 * column's name holds one, so the header tells: a comma if it has one, else a `;`, else a tab.
 */
export type CsvSeparator = ',' | ';' | '\t';

export const separatorOf = (header: string): CsvSeparator =>
  header.includes(',') ? ',' : header.includes(';') ? ';' : header.includes('\t') ? '\t' : ',';

const isSeparator = (text: string): text is CsvSeparator => text === ',' || text === ';' || text === '\t';

/**
 * The separator a file's first line names, Excel's `sep=;` (or `sep=,`, `sep=` and a tab): Excel writes
 * it when asked for the separator and reads the file with it, and the header follows on the next line.
 * It outranks the header's own (`separatorOf`). Undefined for a first line that is no such line.
 */
export function separatorNamed(line: string): string | undefined {
  const named = /^sep=(.*)$/i.exec(line)?.[1];
  if (named === undefined) return undefined;
  return named === '\t' ? named : named.trim();
}

/** White space around a field: any but the separator (a tab separates the fields of a tab-separated file). */
const blank = (separator: CsvSeparator, character: string | undefined): boolean =>
  character !== undefined && character !== separator && /\s/.test(character);

type QuoteProblem =
  | 'a quote is left open'
  | 'text after its closing quote'
  | 'a quote inside a field not in quotes';

/** A line whose quotes are wrong, by the field (1-based) where they go wrong. */
export class CsvFieldError extends Error {
  readonly field: number;
  readonly problem: QuoteProblem;
  constructor(field: number, problem: QuoteProblem) {
    super(`field ${field}: ${problem}`);
    this.field = field;
    this.problem = problem;
  }
}

/**
 * One line's fields (RFC 4180: separated by commas, or `separator`, a field in double quotes may hold
 * separators and doubled quotes), each trimmed of the white space around it. Throws on a quote inside
 * an unquoted field, text after a closing quote, or a quote left open.
 */
export function fieldsOf(line: string, separator: CsvSeparator = ','): string[] {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    while (blank(separator, line[at])) at++;
    let field = '';
    if (line[at] === '"') {
      const opened = fields.length + 1;
      for (at++; ; at++) {
        if (at >= line.length) throw new CsvFieldError(opened, 'a quote is left open');
        if (line[at] !== '"') field += line[at];
        else if (line[at + 1] === '"') field += line[at++];
        else break;
      }
      at++;
      while (blank(separator, line[at])) at++;
      if (at < line.length && line[at] !== separator)
        throw new CsvFieldError(opened, 'text after its closing quote');
    } else {
      const end = line.indexOf(separator, at);
      field = line.slice(at, end < 0 ? line.length : end).trimEnd();
      if (field.includes('"'))
        throw new CsvFieldError(fields.length + 1, 'a quote inside a field not in quotes');
      at = end < 0 ? line.length : end;
    }
    fields.push(field);
    if (at >= line.length) return fields;
    at++;
  }
}

/**
 * Whether a line holds no row: nothing but white space, or cells that are all empty (a spreadsheet
 * saves a row it once used and that was cleared as bare separators, `,,,,`). Such a line is skipped and
 * not counted, wherever the file is split (see docs/design.md#jobs).
 */
export function isBlankLine(text: string, separator: CsvSeparator): boolean {
  const unquoted = text.replaceAll(separator, '');
  if (/^\s*$/.test(unquoted)) return true;
  if (!/^[\s"]*$/.test(unquoted)) return false;
  try {
    return fieldsOf(text, separator).every((field) => field === '');
  } catch {
    return false;
  }
}

function headerOf(line: string, separator: CsvSeparator): { columns: string[] } | { error: string } {
  let names: string[];
  try {
    names = fieldsOf(line, separator);
  } catch (error) {
    return { error: `header row: ${(error as Error).message}` };
  }
  // A spreadsheet saves empty cells after the last column it used (`territories,,`): no columns.
  while (names.length > 0 && names[names.length - 1] === '') names.pop();
  const unnamed = names.indexOf('');
  if (unnamed >= 0) return { error: `header row: column ${unnamed + 1} has no name` };
  const columns = names.map((name) => byLowerCase.get(name.toLowerCase()) ?? name);
  const unknown = columns.filter((column) => !known.has(column));
  if (unknown.length > 0)
    return {
      error: `header row: unknown column(s) ${unknown.join(', ')}; an import takes ${required.join(', ')} and, if given, ${optionalOutletFields.join(', ')} (in any order and case), and no other`,
    };
  const duplicated = columns.filter((column, index) => columns.indexOf(column) !== index);
  if (duplicated.length > 0)
    return { error: `header row: column(s) ${[...new Set(duplicated)].join(', ')} repeated` };
  const missing = required.filter((column) => !columns.includes(column));
  if (missing.length > 0) return { error: `header row: missing column(s) ${missing.join(', ')}` };
  return { columns };
}

/** The optional fields whose columns the header leaves out: the import keeps an outlet's own. */
export const leftOutOf = (columns: readonly string[]): OptionalOutletField[] =>
  optionalOutletFields.filter((field) => !columns.includes(field));

/**
 * The first control character on a line other than a tab (U+0000 to U+001F; line breaks split the
 * lines), if any. No outlet field holds one, and each takes six bytes once the CSV is a JSON string in
 * Lambda's event (`\u0001`): refused, the import's limit holds for every file it takes (see
 * `maxImportBytes`, functions/management/outlets.ts).
 */
function controlCharacterIn(line: string): number | undefined {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code < 0x20 && code !== 0x09) return code;
  }
  return undefined;
}

/** Longer than any valid outlet (names, an address, 50 genres, 250 territories): a row is no longer. */
export const maxRowBytes = 32 * 1024;
/** The lines a cell in quotes may go on over (a contact's name and title, a list one item a line). */
export const maxRowLines = 100;

/**
 * A row's lines joined with `\r`, which no line holds (the file is split at CR, LF and CRLF): a row
 * over several lines stays one entry of a job's chunk (entries are joined with `\n`) and counts its
 * lines, and in a cell `\r` is read as the line break.
 */
const lineBreakInRow = '\r';

/** The lines a row takes: 1, and one more for each line break its cells hold. */
const linesOf = (record: string): number => record.split(lineBreakInRow).length;

const quotesIn = (line: string): number => {
  let count = 0;
  for (let at = line.indexOf('"'); at >= 0; at = line.indexOf('"', at + 1)) count++;
  return count;
};

const readable = (record: string, separator: CsvSeparator): boolean => {
  try {
    fieldsOf(record, separator);
    return true;
  } catch {
    return false;
  }
};

/**
 * The file's lines as rows: a line that leaves a quote open (an odd number of quotes: a doubled quote in
 * a cell is two) goes on with the lines after it up to the one that closes it, when the row they make
 * can be read and is at most `maxRowLines` lines and `maxRowBytes` bytes; otherwise the line is a row of
 * its own, refused for its open quote, and the next line starts a row.
 */
export function recordsOf(lines: readonly string[], separator: CsvSeparator): string[] {
  const records: string[] = [];
  for (let start = 0; start < lines.length; ) {
    let end = start;
    let open = quotesIn(lines[start]) % 2 === 1;
    let bytes = Buffer.byteLength(lines[start], 'utf8');
    while (open && end + 1 < lines.length && end + 1 - start < maxRowLines && bytes <= maxRowBytes) {
      end++;
      bytes += Buffer.byteLength(lines[end], 'utf8') + 1;
      if (quotesIn(lines[end]) % 2 === 1) open = false;
    }
    const joined = lines.slice(start, end + 1).join(lineBreakInRow);
    if (end > start && !open && bytes <= maxRowBytes && readable(joined, separator)) {
      records.push(joined);
      start = end + 1;
    } else {
      records.push(lines[start]);
      start++;
    }
  }
  return records;
}

/**
 * The file's header, and its rows after it (`recordsOf`: a row over several lines is one entry) with
 * the line number of the first (1-based).
 */
export type OutletCsvText =
  | { ok: true; columns: string[]; separator: CsvSeparator; firstLine: number; records: string[] }
  | { ok: false; error: string };

export function readOutletCsv(text: string): OutletCsvText {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const controlled = lines.findIndex((line) => controlCharacterIn(line) !== undefined);
  if (controlled >= 0) {
    const code = controlCharacterIn(lines[controlled])!.toString(16).toUpperCase().padStart(4, '0');
    return {
      ok: false,
      error: `line ${controlled + 1}: holds the control character U+${code}; an outlet CSV holds none but tabs and line breaks`,
    };
  }
  const named = separatorNamed(lines[0]);
  if (named !== undefined && !isSeparator(named))
    return {
      ok: false,
      error: `line 1: sep=${shown(named)} names a separator an import does not read; it reads a comma, ; or a tab`,
    };
  const from = named === undefined ? 0 : 1;
  const headerIndex = lines.findIndex(
    (line, i) => i >= from && !isBlankLine(line, named ?? separatorOf(line)),
  );
  if (headerIndex < 0) return { ok: false, error: 'the CSV is empty: expected a header row' };
  const separator = named ?? separatorOf(lines[headerIndex]);
  const header = headerOf(lines[headerIndex], separator);
  if ('error' in header) return { ok: false, error: header.error };
  return {
    ok: true,
    columns: header.columns,
    separator,
    firstLine: headerIndex + 2,
    records: recordsOf(lines.slice(headerIndex + 1), separator),
  };
}

/** A cell's text in a message, its invisible characters (controls, format characters, separators) as `\uXXXX`. */
const shown = (text: string): string =>
  text.replace(/[\p{C}\p{Zl}\p{Zp}"\\]/gu, (character) =>
    character === '"' || character === '\\'
      ? `\\${character}`
      : `\\u${character.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );

/**
 * Where in a row an issue is, as its manager reads the row: a column, with the address refused, and for an
 * item of a list the item as the cell holds it (`territories "UK"`, where its index, `territories.1`, counts from 0 among items
 * the manager never numbered).
 */
function whereIn(
  cells: { lists: Record<string, string[]>; email: string; kind: string },
  path: readonly PropertyKey[],
): string {
  const [column, index] = path;
  const item =
    typeof column === 'string' && typeof index === 'number' ? cells.lists[column]?.[index] : undefined;
  if (item !== undefined && path.length === 2) return `${String(column)} "${shown(item)}"`;
  // An address or a kind refused is shown, so two addresses in a cell, a mailto: link or a kind of the
  // manager's own (`Radio Station`) is seen for what it is.
  if ((column === 'email' || column === 'kind') && path.length === 1 && cells[column] !== '')
    return `${column} "${shown(cells[column])}"`;
  return path.map(String).join('.') || 'row';
}

/**
 * Why a row's quotes are wrong, naming the field's column. A quote left open is one the lines after it
 * did not close in a row that can be read (`recordsOf`): its line alone is refused, so a stray quote
 * spoils one row, not the rows after it.
 */
function quotesWrong(error: Error, columns: readonly string[]): string {
  if (!(error instanceof CsvFieldError)) return error.message;
  const column = columns[error.field - 1];
  const why =
    error.problem === 'a quote is left open'
      ? `${error.problem}; a cell in quotes may go on over several lines, but the lines after it do not close it in a row that can be read`
      : error.problem;
  return `field ${error.field}${column ? ` (${column})` : ''}: ${why}`;
}

/**
 * The columns whose cell is one line, as a refusal names them: a line break in one is no part of a name,
 * an address or a kind. A list's cell may hold one: its items are separated by line breaks as by `;`.
 */
const oneLine = {
  name: 'a name',
  email: 'an address',
  kind: 'a kind',
  contactName: 'a contact name',
} as const satisfies Partial<Record<string, string>>;

/**
 * The outlets of `records` (rows as `recordsOf` reads them, the first at line `firstLine` of the file),
 * under the header's columns; each is numbered by its first line.
 */
export function parseOutletRows(
  columns: string[],
  records: string[],
  firstLine: number,
  separator: CsvSeparator = ',',
): { rows: CsvRow[]; rejected: CsvRejection[] } {
  const rows: CsvRow[] = [];
  const rejected: CsvRejection[] = [];
  let next = firstLine;
  for (const text of records) {
    const line = next;
    next += linesOf(text);
    if (isBlankLine(text, separator)) continue;
    let fields: string[];
    try {
      fields = fieldsOf(text, separator).map((field) => field.replaceAll(lineBreakInRow, '\n'));
    } catch (error) {
      rejected.push({ line, error: quotesWrong(error as Error, columns) });
      continue;
    }
    // Empty cells after the header's columns are a spreadsheet's (it saves the width of its widest row).
    const extra = fields.findIndex((field, i) => i >= columns.length && field !== '');
    if (extra >= 0) {
      rejected.push({
        line,
        error: `has text in field ${extra + 1}, after the header’s ${columns.length} columns`,
      });
      continue;
    }
    const cell = Object.fromEntries(columns.map((column, i) => [column, fields[i] ?? '']));
    const broken = Object.entries(oneLine)
      .filter(([column]) => cell[column]?.includes('\n'))
      .map(
        ([column, what]) => `${column} "${shown(cell[column])}": holds a line break, and ${what} is one line`,
      );
    const lists = {
      genres: list(cell.genres),
      territories: list(cell.territories),
      ...(cell.formats ? { formats: list(cell.formats) } : {}),
    };
    const parsed = OutletInput.safeParse({
      name: cell.name,
      email: cell.email,
      // A kind is a word of the list, whatever its case and the white space in its quotes (` radio `):
      // OutletKind reads it so, as it reads a JSON body's.
      kind: cell.kind,
      ...lists,
      ...(cell.contactName ? { contactName: cell.contactName } : {}),
    });
    if (parsed.success && broken.length === 0) rows.push({ line, input: parsed.data });
    else {
      // A cell over two lines is named once, for its line break, not again for what zod makes of it.
      const issues = (parsed.error?.issues ?? []).filter(
        (issue) => !(String(issue.path[0]) in oneLine && cell[String(issue.path[0])]?.includes('\n')),
      );
      const error = [
        ...broken,
        ...issues.map(
          (issue) =>
            `${whereIn({ lists, email: cell.email, kind: cell.kind }, issue.path)}: ${issue.message}`,
        ),
      ].join('; ');
      rejected.push({ line, error });
    }
  }
  return { rows, rejected };
}

export function parseOutletCsv(text: string): ParsedCsv {
  const read = readOutletCsv(text);
  if (!read.ok) return read;
  return { ok: true, ...parseOutletRows(read.columns, read.records, read.firstLine, read.separator) };
}

/** Consecutive rows of the file, stored as one item of an import job's input. */
export interface CsvChunk {
  /** The line number of the chunk's first line. */
  firstLine: number;
  /**
   * The rows (`recordsOf`), joined by `\n`; a row too long to be an outlet is left empty (but for its
   * line breaks, which number the rows after it) and rejected instead.
   */
  text: string;
  /** Rows that are not blank (`isBlankLine`): the rows this chunk accounts for, rejected ones included. */
  rows: number;
  rejected: CsvRejection[];
}

export interface ChunkLimits {
  maxRows: number;
  maxBytes: number;
  /** Longer than any valid outlet (`maxRowBytes`): rejected unread. */
  maxLineBytes: number;
}

/**
 * Splits the rows after the header (`recordsOf`) into chunks of at most `maxRows` rows and `maxBytes`
 * bytes of UTF-8; a row over several lines is never split.
 */
export function chunkOutletCsv(
  records: string[],
  firstLine: number,
  limits: ChunkLimits,
  separator: CsvSeparator = ',',
): CsvChunk[] {
  const chunks: CsvChunk[] = [];
  let current: { firstLine: number; lines: string[]; bytes: number; rows: number; rejected: CsvRejection[] } =
    {
      firstLine,
      lines: [],
      bytes: 0,
      rows: 0,
      rejected: [],
    };
  const close = () => {
    chunks.push({
      firstLine: current.firstLine,
      text: current.lines.join('\n'),
      rows: current.rows,
      rejected: current.rejected,
    });
  };
  let next = firstLine;
  for (const text of records) {
    const line = next;
    next += linesOf(text);
    const tooLong = Buffer.byteLength(text, 'utf8') > limits.maxLineBytes;
    const kept = tooLong ? lineBreakInRow.repeat(linesOf(text) - 1) : text;
    const bytes = Buffer.byteLength(kept, 'utf8') + 1;
    const isRow = !isBlankLine(text, separator);
    if (
      current.lines.length > 0 &&
      (current.bytes + bytes > limits.maxBytes || (isRow && current.rows >= limits.maxRows))
    ) {
      close();
      current = { firstLine: line, lines: [], bytes: 0, rows: 0, rejected: [] };
    }
    current.lines.push(kept);
    current.bytes += bytes;
    if (isRow) current.rows++;
    if (tooLong) current.rejected.push({ line, error: `is longer than ${limits.maxLineBytes} bytes` });
  }
  close();
  return chunks;
}
