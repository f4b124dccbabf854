/**
 * CSV as Backline writes it (RFC 4180), safe to open in a spreadsheet. A cell that starts with `=`, `+`,
 * `-`, `@`, a tab or a carriage return would be read as a formula (CSV injection, OWASP): it is written
 * with a leading `'`, which spreadsheets show as text. Text from outside (outlet names, SES failure
 * messages) reaches exports, so every cell goes through here.
 */

const formulaStart = /^[=+\-@\t\r]/;
/**
 * A spreadsheet whose locale separates with `;` (much of Europe) splits each line at every `;`, quotes
 * or not: what follows one is the start of a cell there, and is neutralised the same way.
 */
const formulaAfterSemicolon = /;(?=[=+\-@\t\r])/g;

/** One cell: neutralised, then quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = (formulaStart.test(value) ? `'${value}` : value).replace(formulaAfterSemicolon, ";'");
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A whole CSV document: the header, then one line per row, each in the header's column order. */
export function toCsv<Column extends string>(
  columns: readonly Column[],
  rows: readonly Partial<Record<Column, string | number | boolean | null | undefined>>[],
): string {
  const line = (cells: (string | number | boolean | null | undefined)[]) => cells.map(csvCell).join(',');
  return [line([...columns]), ...rows.map((row) => line(columns.map((column) => row[column])))]
    .map((text) => `${text}\r\n`)
    .join('');
}
