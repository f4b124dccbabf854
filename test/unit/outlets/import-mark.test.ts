import { describe, expect, it } from 'vitest';
import { writtenByLaterLine } from '#shared/outlets.ts';

/**
 * docs/design.md#jobs: a line never overwrites an outlet a later line of its own job wrote, and the line
 * that last wrote the outlet is the one `importedBy` names. `importedLine` beside it is only as good as
 * the write that set both: a writer from before `importedLine` was recorded sets `importedBy` alone and
 * leaves the `importedLine` an earlier write put there.
 */
describe('writtenByLaterLine', () => {
  it('reads the line from importedBy where importedLine was left by an earlier write', () => {
    // job-a's line 12 recorded both; job-b's line 5, by a writer that records importedBy alone, wrote since.
    const stored = { importedBy: 'job-b#5', importedLine: 12 };

    const found = [3, 7, 13].map((line) => writtenByLaterLine(stored, { jobId: 'job-b', line }));

    expect(found).toEqual([true, false, false]);
  });

  it('takes importedLine where importedBy names that line, and the line from importedBy where it is missing', () => {
    const recorded = { importedBy: 'job-a#12', importedLine: 12 };
    const before = { importedBy: 'job-a#12' };

    const found = [recorded, before].flatMap((stored) =>
      [3, 12, 13].map((line) => writtenByLaterLine(stored, { jobId: 'job-a', line })),
    );

    expect(found).toEqual([true, false, false, true, false, false]);
  });

  it("finds no later line on an outlet another job's line, or no import line, wrote last", () => {
    const found = [{ importedBy: 'job-z#40', importedLine: 40 }, { importedLine: 40 }, {}].map((stored) =>
      writtenByLaterLine(stored, { jobId: 'job-a', line: 3 }),
    );

    expect(found).toEqual([false, false, false]);
  });
});
