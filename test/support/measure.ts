import type { Measure, MetricName } from '#shared/lambda/metrics.ts';

/** A Measure that keeps what was recorded, for tests to read back. */
export class RecordedMeasure implements Measure {
  readonly records: { name: MetricName; dimensions: Record<string, string>; value: number }[] = [];
  record(name: MetricName, dimensions: Record<string, string>, value = 1) {
    this.records.push({ name, dimensions, value });
  }
  /** The sum of `name`'s values per dimensions, keyed by the dimensions' values joined with `/`. */
  totals(name: MetricName): Record<string, number> {
    const totals: Record<string, number> = {};
    for (const record of this.records.filter((r) => r.name === name)) {
      const key = Object.values(record.dimensions).join('/');
      totals[key] = (totals[key] ?? 0) + record.value;
    }
    return totals;
  }
}
