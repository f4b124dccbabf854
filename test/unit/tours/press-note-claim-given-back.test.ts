import { describe, expect, it } from 'vitest';
import { mailsReached } from '#shared/db/deliveries.ts';
import { type PressTold, toldAsReached } from '#shared/db/tours.ts';

/**
 * A press announcement's note naming its mail's set, written by the invocation that found the mail
 * claimed by another taking the same page at once (its event delivered twice), where that other then
 * gave its claim back unsent (throttled past its budget) and failed: no claim stands behind the note,
 * so nothing will send that mail, and the address is due to be announced by the next step. Found by
 * the chaos scenario for tours press (test/chaos/chaos.test.ts, skipped): a whole page of outlets
 * never announced.
 */
describe('an announcement noted with a set whose claim was given back', () => {
  it('counts the address not told of its show, so the next press step announces it', async () => {
    const told: PressTold[] = [
      {
        email: 'de@press.example',
        outletId: 'de',
        showIds: ['show-1'],
        stated: {
          'show-1': { facts: 'f', change: '2027-02-02T00:00:00Z', kind: 'announcement', set: 'DE-x' },
        },
      },
    ];
    // The deliveries as the store reads them: no claim of that mail (given back).
    const reached = (mails: Parameters<typeof mailsReached>[2]) =>
      mailsReached({ getMany: async () => new Map() }, '2027-02-01T23:30:00Z', mails);

    await toldAsReached({ labelId: 'lbl-1', tourId: 'tour-1' }, told, reached);

    expect(told[0].showIds).toEqual([]);
  });
});
