import { parse } from 'csv-parse/sync';
import { OutletInput } from '#shared/outlets.ts';

/**
 * The outlet import's CSV: a header row naming `name,email,kind,genres,territories,contactName` (any
 * order; `genres` and `contactName` may be left out), then one outlet per line, lists separated by `;`.
 *
 * Each line is parsed on its own, so a broken quote on one line cannot swallow the lines after it
 * (csv-parse, reading the whole text, resynchronises only at the next quote): a bad row never stops
 * the good ones. An outlet needs no field spanning lines.
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
const known = new Set<string>([...required, 'genres', 'contactName']);
const byLowerCase = new Map([...known].map((column) => [column.toLowerCase(), column]));

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(';')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

function fieldsOf(line: string): string[] {
  const records = parse(line, { trim: true, relax_column_count: true }) as string[][];
  return records[0] ?? [];
}

function headerOf(line: string): { columns: string[] } | { error: string } {
  let names: string[];
  try {
    names = fieldsOf(line);
  } catch (error) {
    return { error: `header row: ${(error as Error).message}` };
  }
  const columns = names.map((name) => byLowerCase.get(name.toLowerCase()) ?? name);
  const unknown = columns.filter((column) => !known.has(column));
  if (unknown.length > 0) return { error: `header row: unknown column(s) ${unknown.join(', ')}` };
  const duplicated = columns.filter((column, index) => columns.indexOf(column) !== index);
  if (duplicated.length > 0)
    return { error: `header row: column(s) ${[...new Set(duplicated)].join(', ')} repeated` };
  const missing = required.filter((column) => !columns.includes(column));
  if (missing.length > 0) return { error: `header row: missing column(s) ${missing.join(', ')}` };
  return { columns };
}

export function parseOutletCsv(text: string): ParsedCsv {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const headerIndex = lines.findIndex((line) => line.trim().length > 0);
  if (headerIndex < 0) return { ok: false, error: 'the CSV is empty: expected a header row' };
  const header = headerOf(lines[headerIndex]);
  if ('error' in header) return { ok: false, error: header.error };

  const rows: CsvRow[] = [];
  const rejected: CsvRejection[] = [];
  for (let index = headerIndex + 1; index < lines.length; index++) {
    const line = index + 1;
    if (lines[index].trim().length === 0) continue;
    let fields: string[];
    try {
      fields = fieldsOf(lines[index]);
    } catch (error) {
      rejected.push({ line, error: (error as Error).message.replace(/ at line \d+/, '') });
      continue;
    }
    if (fields.length > header.columns.length) {
      rejected.push({
        line,
        error: `has ${fields.length} fields, the header names ${header.columns.length}`,
      });
      continue;
    }
    const cell = Object.fromEntries(header.columns.map((column, i) => [column, fields[i] ?? '']));
    const parsed = OutletInput.safeParse({
      name: cell.name,
      email: cell.email,
      kind: cell.kind.toLowerCase(),
      genres: list(cell.genres),
      territories: list(cell.territories),
      ...(cell.contactName ? { contactName: cell.contactName } : {}),
    });
    if (parsed.success) rows.push({ line, input: parsed.data });
    else {
      const error = parsed.error.issues
        .map((issue) => `${issue.path.join('.') || 'row'}: ${issue.message}`)
        .join('; ');
      rejected.push({ line, error });
    }
  }
  return { ok: true, rows, rejected };
}
