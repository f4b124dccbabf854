import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { aLabelAndItsPress, announce, far, meta } from '#test/support/announcer-fakes.ts';
import { aReleaseDetails } from '#test/support/releases.ts';

const inTerritories = (territories: string[]) => ({
  type: 'Release Updated' as const,
  details: aReleaseDetails({ territories }),
});

/**
 * An outlet told of a withdrawal and then edited into territories no giving back names is read at
 * round 0 only (docs/design.md#exactly-once-mail states it: "its follow-ups go after its round-0 first
 * mail"). Announced again in round 1 and then moved to FR, the withdrawal of FR follows its round-0
 * announcement, whose withdrawal (DE's) was sent: the claim is spent, and the outlet is never told.
 */
describe('an outlet announced again after a giving back, then edited into a country withdrawn since', () => {
  it('is told of that withdrawal', async () => {
    const { german, release, world, store, label } = aLabelAndItsPress(['GB', 'DE', 'FR']);
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await label(inTerritories(['GB', 'FR']), 'evt-de-withdrawn', '2026-02-01T10:00:00.000Z');
    await label(inTerritories(['GB', 'DE', 'FR']), 'evt-de-given-back', '2026-02-02T10:00:00.000Z');
    expect(world.mailer.receivedBy(german.email).map((m) => m.kind)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
    ]);
    // The outlet now covers France (its address kept).
    german.territories = ['FR'];

    await label(inTerritories(['GB', 'DE']), 'evt-fr-withdrawn', '2026-02-03T10:00:00.000Z');

    expect(world.mailer.receivedBy(german.email).map((m) => m.kind)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
      'cancellation',
    ]);
  });
});
