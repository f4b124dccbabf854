import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePattern } from '#infra/local/bus/pattern.ts';

// 4,000 cases generated and answered by AWS's matching engine (aws/event-ruler 2.0.1), kept as data in
// test/data/eventbridge-cases.jsonl.
interface ConformanceCase {
  id: string;
  ops: string[];
  pattern: unknown;
  event: unknown;
  expect: boolean;
}

const cases: ConformanceCase[] = readFileSync(
  new URL('../../data/eventbridge-cases.jsonl', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as ConformanceCase);

describe('pattern matching agrees with EventBridge', () => {
  it('has the whole corpus to check', () => {
    expect(cases).toHaveLength(4000);
  });

  it.each(cases)('$id ($ops) matches: $expect', ({ pattern, event, expect: expected }) => {
    const matcher = compilePattern(pattern);

    const result = matcher(event);

    expect(result).toBe(expected);
  });

  it('answers the same when the events arrive as JSON text', () => {
    const disagreeing = cases.filter(({ pattern, event, expect: expected }) => {
      return compilePattern(JSON.stringify(pattern))(JSON.stringify(event)) !== expected;
    });

    expect(disagreeing.map(({ id, ops }) => `${id} (${ops.join(', ')})`)).toEqual([]);
  });
});
