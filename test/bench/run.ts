import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BenchRow } from './rows.ts';

/**
 * `npm run bench [name...]`: runs every test/bench/*.bench.ts (or those named) one after another, each in
 * its own process, and fails if one fails. Benchmarks print their own figures and report rows
 * (rows.ts), which land in test/bench/results.json (rows of benchmarks not run this time are kept
 * from the last run) and in the table printed at the end and kept in the README. None is a timed test.
 */
const dir = import.meta.dirname;
const root = resolve(dir, '../..');
const resultsFile = join(dir, 'results.json');
const readme = join(root, 'README.md');
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => wanted.length === 0 || wanted.some((name) => file.includes(name)))
  .sort();

const scratch = mkdtempSync(join(tmpdir(), 'backline-bench-'));
const rowsFile = join(scratch, 'rows.jsonl');
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file}`);
  const run = spawnSync(process.execPath, [resolve(dir, file)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_ROWS_FILE: rowsFile },
  });
  if (run.status !== 0) failed++;
}
const fresh: BenchRow[] = existsSync(rowsFile)
  ? readFileSync(rowsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
  : [];
rmSync(scratch, { recursive: true, force: true });

const previous: BenchRow[] = existsSync(resultsFile)
  ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as { rows: BenchRow[] }).rows
  : [];
const byId = new Map(previous.map((r) => [r.id, r]));
for (const r of fresh) byId.set(r.id, r);
const rows = [...byId.values()];
writeFileSync(
  resultsFile,
  `${JSON.stringify(
    {
      machine: { cpus: cpus().length, node: process.version, loadAverageAtEnd: loadavg()[0] },
      rows,
    },
    null,
    2,
  )}\n`,
);

const cell = (value: number | null | boolean | undefined) =>
  value === null || value === undefined ? '' : String(value);
const table = [
  '| measure | value | floor (same run) | ratio | target | met | load |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.measure} | ${r.value} ${r.unit} | ${r.floor === null ? '' : `${r.floor} ${r.unit}`} | ${cell(r.ratio)} | ${r.target} | ${r.met === null ? '' : r.met ? 'yes' : 'no'} | ${r.loadAverage} |`,
  ),
].join('\n');
console.log(`\n${table}\n`);

// The README carries the latest table between these markers.
const start = '<!-- bench:start -->';
const end = '<!-- bench:end -->';
const text = readFileSync(readme, 'utf8');
if (text.includes(start) && text.includes(end)) {
  // Rows kept from earlier runs keep their own times: the line gives the span of the table's rows.
  const times = rows.map((r) => r.measuredAt.slice(0, 16)).sort();
  const span = times[0] === times.at(-1) ? `${times[0]}Z` : `${times[0]}Z to ${times.at(-1)}Z`;
  const measured = `Measured ${span} on ${cpus().length} cores (load average per row: figures on a busy machine are noisy).`;
  writeFileSync(
    readme,
    `${text.slice(0, text.indexOf(start) + start.length)}\n${measured}\n\n${table}\n${text.slice(text.indexOf(end))}`,
  );
}
process.exit(failed === 0 ? 0 : 1);
