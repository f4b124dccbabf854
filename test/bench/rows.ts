import { appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/**
 * One row of `npm run bench` (test/bench/results.json): a measure, its floor measured in the same run,
 * their ratio and the target. A benchmark reports its rows with `reportRows`; run.ts gathers them.
 * To add a benchmark: a `*.bench.ts` file in this folder that measures its floor too and reports rows.
 */
export interface BenchRow {
  id: string;
  measure: string;
  value: number;
  unit: string;
  /** The least the same work can cost, measured in the same run (null: no floor applies). */
  floor: number | null;
  /** value / floor. */
  ratio: number | null;
  /** What the row must reach, in words (`<= 2.0x`, `<= floor + 150 KB`). */
  target: string;
  met: boolean | null;
  /** The machine's 1-minute load average when the row was measured: figures on a busy machine are noisy. */
  loadAverage: number;
  measuredAt: string;
  /** How the figure was taken, or what else was counted. */
  note?: string;
}

export type Target = { text: string; met: (value: number, floor: number | null) => boolean };

export const targets = {
  ratioAtMost: (limit: number): Target => ({
    text: `<= ${limit}x`,
    met: (value, floor) => floor !== null && value / floor <= limit,
  }),
  ratioAtLeast: (limit: number): Target => ({
    text: `>= ${limit}x`,
    met: (value, floor) => floor !== null && value / floor >= limit,
  }),
  atMost: (limit: number, unit = ''): Target => ({
    text: `<= ${limit}${unit ? ` ${unit}` : ''}`,
    met: (value) => value <= limit,
  }),
  overFloorAtMost: (limit: number, unit: string): Target => ({
    text: `<= floor + ${limit} ${unit}`,
    met: (value, floor) => floor !== null && value - floor <= limit,
  }),
  none: { text: '', met: () => true } as Target,
};

/** A row with its ratio, target and the load at the time filled in. */
export function row(
  id: string,
  measure: string,
  value: number,
  unit: string,
  floor: number | null,
  target: Target,
  note?: string,
): BenchRow {
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    id,
    measure,
    value: round(value),
    unit,
    floor: floor === null ? null : round(floor),
    ratio: floor ? round(value / floor) : null,
    target: target.text,
    met: target.text === '' ? null : target.met(value, floor),
    loadAverage: round(loadavg()[0]),
    // The machine's time: a bench that runs the local cloud in its process may have moved its clock (Date).
    measuredAt: new Date(performance.timeOrigin + performance.now()).toISOString(),
    ...(note ? { note } : {}),
  };
}

/** Prints the rows and hands them to run.ts (through BENCH_ROWS_FILE) when it runs this benchmark. */
export function reportRows(rows: BenchRow[]): void {
  for (const r of rows) {
    const floor = r.floor === null ? '' : ` (floor ${r.floor} ${r.unit}, ratio ${r.ratio})`;
    console.log(`  ${r.id}: ${r.value} ${r.unit}${floor} ${r.target} ${r.met === false ? 'NOT MET' : ''}`);
  }
  const file = process.env.BENCH_ROWS_FILE;
  if (file) appendFileSync(file, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/** The local cloud's management API (as the manager, with the local admin header) and its invocation counts, for a bench. */
export function localApi(cloud: { urls: { http: string }; apiKey: string }) {
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${cloud.urls.http}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${cloud.apiKey}`,
        'x-backline-local': '1',
        ...(init.headers as Record<string, string>),
      },
    });
  const invocations = async () =>
    ((await (await api('/_local/invocations')).json()) as { started: Record<string, number> }).started;
  return { api, invocations };
}
