import { describe, expect, it } from 'vitest';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import { aLabelAndItsPress, far } from '#test/support/announcer-fakes.ts';
import { anOutlet, servicedWithGermanAddDate } from '#test/support/releases.ts';

/** GB and DE (or GB alone), serviced to radio on 22 February 2027 (due at once), AAA added in DE on `germanAddDate`. */
const serviced = (germanAddDate: string, territories = ['GB', 'DE']): ReleaseDetails =>
  servicedWithGermanAddDate(germanAddDate, territories, 'Europe/Berlin');

/** A label and one German radio outlet playing AAA; the release starts absent (the label schedules it). */
function aLabelAndItsRadio() {
  const german = anOutlet({ kind: 'radio', territories: ['DE'], formats: ['AAA'] });
  return { ...aLabelAndItsPress(['GB', 'DE'], [german]), german };
}

describe('an add date moved, its country withdrawn and given back', () => {
  it('does not tell the move again to an outlet re-serviced with the moved date', async () => {
    const { german, world, label, redeliverAll } = aLabelAndItsRadio();
    await label(
      { type: 'Release Scheduled', details: serviced('2027-03-05') },
      'evt-1',
      '2026-06-01T10:00:00.000Z',
    );
    await label(
      { type: 'Release Updated', details: serviced('2027-03-12') },
      'evt-2',
      '2026-06-01T10:01:00.000Z',
      ['radio-add-date-change'],
    );
    await label(
      { type: 'Release Cancelled', releaseId: 'rel-night-drive', territories: ['DE'] },
      'evt-3',
      '2026-06-01T10:02:00.000Z',
    );
    await label(
      { type: 'Release Updated', details: serviced('2027-03-12') },
      'evt-4',
      '2026-06-01T10:03:00.000Z',
    );
    // Serviced again on the giving back, its servicing stating 'AAA in DE: 12 March'.
    expect(world.mailer.receivedBy(german.email, 'radio-servicing')).toHaveLength(2);

    // The move's mailing, asked before the withdrawal, runs only now (delayed, or delivered again):
    // the re-servicing, written after the move, stated it already (docs/design.md#radio-servicing).
    await redeliverAll();
    await sweepStaleClaims(world.deps, far());
    expect(world.mailer.receivedBy(german.email, 'radio-add-date-change')).toHaveLength(0);
  });
});
