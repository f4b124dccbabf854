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
import { anOutlet, idleSchedules } from '#test/support/releases.ts';

/**
 * A release out everywhere is announced to nobody new (docs/design.md#exactly-once-mail): a country
 * given back announces again the outlets told of its withdrawal there, and no other.
 */
describe('a country given back to a release out everywhere, to outlets never told of it', () => {
  it('announces nothing to an outlet added to the directory after the release came out', async () => {
    const { german, release, world, store, label } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await reachReleaseDay(
      { ...release, ...momentOf(release.details!) },
      { correlationId: 'corr' },
      { releases: store, schedules: idleSchedules, now: () => new Date('2027-03-05T00:00:01Z') },
    );
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      (await store.get('lbl-nightshift', 'rel-night-drive'))!,
    );
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    const newcomer = anOutlet({ kind: 'press', territories: ['DE'], email: 'desk@newcomer.example' });
    world.directory.push(newcomer);

    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');

    expect(world.mailer.receivedBy(german.email).map((m) => m.kind)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
    ]);
    expect(world.mailer.receivedBy(newcomer.email)).toEqual([]);
  });
});
