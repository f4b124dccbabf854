import { describe, expect, it } from 'vitest';
import type { ReleaseChange } from '#functions/releases/apply-change.ts';
import { aReleaseDetails, decideChanges } from '#test/support/releases.ts';

/** GB on 26 March, DE on its own date `de` (or without DE). */
const dates = (de: string, territories = ['GB', 'DE']) =>
  aReleaseDetails({
    territories,
    releaseDate: '2027-03-26',
    territoryDates: territories.includes('DE') ? [{ territories: ['DE'], releaseDate: de }] : [],
  });

const london = (day: string) => `2027-03-${day}T00:00 Europe/London`;
const withdrawDe: ReleaseChange = {
  type: 'Release Cancelled',
  releaseId: 'rel-night-drive',
  territories: ['DE'],
};

/**
 * docs/design.md#street-dates-per-territory: a territory given back at another date than its outlets
 * were told records no date change to mail, but releases keeps that change among those asked (the
 * identity a held first mail's late Email Sent asks it by), named as a move is, repeated or not.
 */
describe('DE withdrawn on 12 March and given back on 19 March', () => {
  it('keeps DE 12 -> 19 among the date changes asked, and asks no date-change mailing', () => {
    const { stored, effects } = decideChanges([
      [{ type: 'Release Scheduled', details: dates('2027-03-12') }, '2026-06-01T10:00:00.000Z'],
      [withdrawDe, '2026-06-02T10:00:00.000Z'],
      [{ type: 'Release Updated', details: dates('2027-03-19') }, '2026-06-03T10:00:00.000Z'],
    ]);

    expect(stored.dateChangesAsked).toEqual([
      { moment: london('12'), revision: london('19'), territories: ['DE'], at: '2026-06-03T10:00:00.000Z' },
    ]);
    expect(stored.dateChanges).toBeUndefined();
    expect(effects).not.toContainEqual(expect.objectContaining({ kind: 'date-change' }));
  });

  it('names it by the giving back’s time when DE moved 12 -> 19 before', () => {
    const { stored } = decideChanges([
      [{ type: 'Release Scheduled', details: dates('2027-03-12') }, '2026-06-01T10:00:00.000Z'],
      [{ type: 'Release Updated', details: dates('2027-03-19') }, '2026-06-01T11:00:00.000Z'],
      [{ type: 'Release Updated', details: dates('2027-03-12') }, '2026-06-01T12:00:00.000Z'],
      [withdrawDe, '2026-06-02T10:00:00.000Z'],
      [{ type: 'Release Updated', details: dates('2027-03-19') }, '2026-06-03T10:00:00.000Z'],
    ]);

    expect(stored.dateChangesAsked?.at(-1)).toEqual({
      moment: `${london('12')} 2026-06-03T10:00:00.000Z`,
      revision: london('19'),
      territories: ['DE'],
      at: '2026-06-03T10:00:00.000Z',
    });
  });
});
