import { describe, expect, it } from 'vitest';
import { type ChangeMeta, decideChange, type ReleaseChange } from '#functions/releases/apply-change.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import type { StoredRelease } from '#shared/releases.ts';
import { aReleaseDetails } from '#test/support/releases.ts';

const metaAt = (occurredAt: string): ChangeMeta & { occurredAt: string } => ({
  labelId: 'lbl-nightshift',
  eventId: `evt-${occurredAt}`,
  correlationId: 'corr',
  occurredAt,
});

/** GB, DE and US, serviced to radio on 22 February 2027, AAA added in GB on 1 March and in DE on `germanAddDate`. */
const serviced = (germanAddDate: string, territories = ['GB', 'DE', 'US']): ReleaseDetails =>
  aReleaseDetails({
    territories,
    timeZone: 'America/Los_Angeles',
    radioServicing: {
      servicingDate: '2027-02-22',
      addDates: [
        { format: 'AAA', territory: 'GB', date: '2027-03-01' },
        { format: 'AAA', territory: 'DE', date: germanAddDate },
      ],
      edits: [],
    },
  });

describe('review: an add date moved and moved back while its country was withdrawn', () => {
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
    let stored: StoredRelease | undefined;
    for (const [change, at] of steps) stored = decideChange(stored, change, metaAt(at), at).next;

    const givenBack = decideChange(
      stored,
      { type: 'Release Updated', details: serviced('2027-03-05') },
      metaAt('2026-06-01T10:04:00Z'),
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
