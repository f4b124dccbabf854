import { describe, expect, it } from 'vitest';
import { wholeMinuteFrom } from '#shared/whole-minute.ts';
import { namesImportedFrom, reachableModules } from '#test/support/imports.ts';

describe('the whole minute a one-time schedule fires at', () => {
  it.each([
    ['an instant on a whole minute stays on it', '2027-03-05T00:00:00.000Z', '2027-03-05T00:00:00'],
    ['a millisecond past goes to the next minute', '2027-03-05T00:00:00.001Z', '2027-03-05T00:01:00'],
    ['the last moment of a minute goes to the next', '2027-03-05T09:00:59.999Z', '2027-03-05T09:01:00'],
    ['across a day and a year', '2026-12-31T23:59:30.000Z', '2027-01-01T00:00:00'],
  ])('%s', (_, instant, wallTime) => {
    expect(wholeMinuteFrom(Date.parse(instant))).toBe(wallTime);
  });

  it("is one rule, read by the Scheduler module and the tours' moments alike, without the Scheduler client", () => {
    for (const module of ['shared/scheduler.ts', 'shared/tours.ts']) {
      expect({ [module]: namesImportedFrom(module, 'shared/whole-minute.ts') }).toEqual({
        [module]: ['wholeMinuteFrom'],
      });
    }
    // What tours reads for its moments must not drag the Scheduler client into bundles that schedule nothing.
    expect(reachableModules('shared/whole-minute.ts')).toEqual(['shared/whole-minute.ts']);
    expect(namesImportedFrom('shared/tours.ts', '@aws-sdk/client-scheduler')).toEqual([]);
  });
});
