import { describe, expect, it } from 'vitest';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import {
  aLabelAndItsGermanRadio,
  far,
  germanAddDateMovedTo12March,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';
import { servicedWithGermanAddDate } from '#test/support/releases.ts';

describe('an add date moved, its country withdrawn and given back', () => {
  it('does not tell the move again to an outlet re-serviced with the moved date', async () => {
    const radio = aLabelAndItsGermanRadio();
    const { german, world, label, redeliverAll } = radio;
    await germanAddDateMovedTo12March(radio, ['radio-add-date-change']);
    await label(withdrawDe, 'evt-3', '2026-06-01T10:02:00.000Z');
    await label(
      { type: 'Release Updated', details: servicedWithGermanAddDate('2027-03-12') },
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
