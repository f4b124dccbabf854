import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { reachReleaseDay } from '#functions/releases/release-day.ts';
import { momentOf } from '#shared/releases.ts';
import {
  aLabelAndItsPress,
  announce,
  far,
  giveDeBack,
  meta,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';
import { idleSchedules } from '#test/support/releases.ts';

/**
 * A territory given back makes the release theirs again for the outlets told of its withdrawal: they
 * are announced again (docs/design.md#exactly-once-mail). Of a release out everywhere, the giving back
 * asks nothing (releases asks the announcement only of a widening while the release is still to come
 * somewhere), so the German outlet, last told to disregard the release in DE, never hears it is back.
 */
describe('a country given back to a release out everywhere', () => {
  it('announces the release again to the outlet told of its withdrawal there', async () => {
    const { german, release, world, store, label } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    // Its release day comes: out in GB and DE, and the out-now goes.
    await reachReleaseDay(
      { ...release, ...momentOf(release.details!) },
      { correlationId: 'corr' },
      { releases: store, schedules: idleSchedules, now: () => new Date('2027-03-05T00:00:01Z') },
    );
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      (await store.get('lbl-nightshift', 'rel-night-drive'))!,
    );
    await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    expect(world.mailer.receivedBy(german.email).map((m) => m.kind)).toEqual([
      'announcement',
      'out-now',
      'cancellation',
    ]);

    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');

    expect(world.mailer.receivedBy(german.email).map((m) => m.kind)).toEqual([
      'announcement',
      'out-now',
      'cancellation',
      'announcement',
    ]);
  });
});
