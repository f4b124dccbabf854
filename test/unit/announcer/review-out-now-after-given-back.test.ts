import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { reachReleaseDay } from '#functions/releases/release-day.ts';
import { territoryMomentsOf } from '#shared/releases.ts';
import {
  aLabelAndItsPress,
  announce,
  far,
  meta,
  runRequested,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';
import { aReleaseDetails, idleSchedules } from '#test/support/releases.ts';

/** GB on 26 March, DE on its own date, 5 March. */
const dates = aReleaseDetails({
  territories: ['GB', 'DE'],
  releaseDate: '2027-03-26',
  territoryDates: [{ territories: ['DE'], releaseDate: '2027-03-05' }],
});

/**
 * An outlet told a release was out in its country, then told to disregard it there (withdrawn), is
 * announced again when the country is given back (docs/design.md#exactly-once-mail), but never told
 * again that it is out there: an out-now's identity names no round, and the one sent before the
 * withdrawal spent its claim.
 */
describe('a country given back after it was out there and then withdrawn', () => {
  it('tells its outlet, announced again, that the release is out there', async () => {
    const { german, world, store, label } = aLabelAndItsPress();
    // The label schedules it: announced to both outlets.
    await label({ type: 'Release Scheduled', details: dates }, 'evt-scheduled', '2026-01-01T10:00:00.000Z');
    const germany = territoryMomentsOf(dates).find((group) => group.territories.includes('DE'))!;
    // DE's release day comes: out there, and its out-now goes to the German outlet.
    await reachReleaseDay(
      { labelId: 'lbl-nightshift', releaseId: 'rel-night-drive', ...germany.moment },
      { correlationId: 'corr' },
      { releases: store, schedules: idleSchedules, now: () => new Date('2027-03-05T00:00:01Z') },
    );
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      (await store.get('lbl-nightshift', 'rel-night-drive'))!,
    );
    await sendMailing({ ...announce, kind: 'out-now', moment: germany.key }, meta, world.deps, far());
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    expect(world.mailer.receivedBy(german.email).map((m) => m.kind)).toEqual([
      'announcement',
      'out-now',
      'cancellation',
    ]);

    // DE given back (GB still to come): the German outlet is announced again, and the announcement's
    // mailing, as it completes, asks the out-now of the moment that came (followUpsSince).
    await label({ type: 'Release Updated', details: dates }, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    await runRequested(world, 'out-now');

    expect(world.mailer.receivedBy(german.email).map((m) => m.kind)).toEqual([
      'announcement',
      'out-now',
      'cancellation',
      'announcement',
      'out-now',
    ]);
  });
});
