import { describe, expect, it } from 'vitest';
import { decideChange, type ReleaseChange } from '#functions/releases/apply-change.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import { decideChanges, releaseMetaAt, servicedWithGermanAddDate } from '#test/support/releases.ts';

/** GB, DE and US (or as given), AAA added in DE on `germanAddDate`. */
const serviced = (germanAddDate: string, territories = ['GB', 'DE', 'US']): ReleaseDetails =>
  servicedWithGermanAddDate(germanAddDate, territories, 'America/Los_Angeles');

describe('an add date moved while its country was withdrawn, then the country given back', () => {
  it('asks the move once the release reaches the country again', async () => {
    const steps: [ReleaseChange, string][] = [
      [{ type: 'Release Scheduled', details: serviced('2027-03-05') }, '2026-06-01T10:00:00Z'],
      // DE withdrawn: an outlet in GB and DE, still reached through GB, is told nothing of it.
      [
        { type: 'Release Cancelled', releaseId: 'rel-night-drive', territories: ['DE'] },
        '2026-06-01T10:01:00Z',
      ],
      // The DE add date moves while DE is not reached: told nobody (docs/design.md#radio-servicing).
      [{ type: 'Release Updated', details: serviced('2027-03-12', ['GB', 'US']) }, '2026-06-01T10:02:00Z'],
    ];
    const { stored } = decideChanges(steps);

    // DE given back, its add date where the move left it.
    const givenBack = decideChange(
      stored,
      { type: 'Release Updated', details: serviced('2027-03-12') },
      releaseMetaAt('2026-06-01T10:03:00Z'),
      '2026-06-01T10:03:00Z',
    );

    // The GB and DE outlet was serviced with 'AAA in DE: 5 March' and never told of the withdrawal, so
    // it is not announced again: only an add-date change can tell it 12 March. None is asked
    // (changedAddDates compares 12 March with 12 March), so it keeps 5 March for good.
    expect(givenBack.next.givenBack?.at(-1)?.territories).toEqual(['DE']);
    expect(
      givenBack.effects.filter(
        (effect) => effect.type === 'request-mailing' && effect.kind === 'radio-add-date-change',
      ),
    ).toMatchObject([{ revision: '2027-03-12', moment: JSON.stringify(['aaa', 'DE']), territories: ['DE'] }]);
  });
});

describe('an add date moved and moved back while its country was withdrawn', () => {
  it('asks no add-date change at the giving back: nobody was told the date in between', () => {
    const steps: [ReleaseChange, string][] = [
      [{ type: 'Release Scheduled', details: serviced('2027-03-05') }, '2026-06-01T10:00:00Z'],
      [
        { type: 'Release Cancelled', releaseId: 'rel-night-drive', territories: ['DE'] },
        '2026-06-01T10:01:00Z',
      ],
      // Moved to 12 March and back to 5 March while DE is not reached: both told nobody.
      [{ type: 'Release Updated', details: serviced('2027-03-12', ['GB', 'US']) }, '2026-06-01T10:02:00Z'],
      [{ type: 'Release Updated', details: serviced('2027-03-05', ['GB', 'US']) }, '2026-06-01T10:03:00Z'],
    ];
    const { stored } = decideChanges(steps);

    const givenBack = decideChange(
      stored,
      { type: 'Release Updated', details: serviced('2027-03-05') },
      releaseMetaAt('2026-06-01T10:04:00Z'),
      '2026-06-01T10:04:00Z',
    );

    // The GB and DE outlet was serviced with 'AAA in DE: 5 March' and DE's add date is 5 March again:
    // a radio-add-date-change now tells it 'moved to 5 March', a move it never had.
    expect(givenBack.next.givenBack?.at(-1)?.territories).toEqual(['DE']);
    expect(
      givenBack.effects.filter(
        (effect) => effect.type === 'request-mailing' && effect.kind === 'radio-add-date-change',
      ),
    ).toEqual([]);
  });
});
