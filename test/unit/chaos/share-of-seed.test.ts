import { describe, expect, it } from 'vitest';
import { shareOf } from '#test/support/chaos.ts';

/**
 * The chaos suite's kill scenarios kill the local cloud at a moment drawn from the seed (`shareOf`), so
 * that each seed tries another moment: the seeds the suite has run must not all draw about one share.
 */
describe('the share a chaos scenario draws from its seed', () => {
  it('differs between seeds, not about one value for all', () => {
    const shares = [20261130, 21550711, 1562525365, 1033209056].map(shareOf);

    expect(Math.max(...shares) - Math.min(...shares)).toBeGreaterThan(0.3);
    for (const share of shares) expect(share >= 0 && share < 1).toBe(true);
  });
});
