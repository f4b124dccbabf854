import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { reachReleaseDay } from '#functions/releases/release-day.ts';
import { momentOf } from '#shared/releases.ts';
import {
  aLabelAndItsPress,
  announce,
  aReleaseClaim,
  far,
  giveDeBack,
  meta,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';
import { idleSchedules } from '#test/support/releases.ts';

/**
 * An out-now names the round of the first mail it follows (docs/design.md#exactly-once-mail); until
 * December 2026 it named none. An address announced again whose out-now went in that round under the
 * old identity (round 0's) has heard it: its round's out-now is not sent as well.
 */
describe('an out-now told in a round after a giving back before out-nows named their round', () => {
  it('is not told again under its round', async () => {
    const { german, british, release, world, store, label } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    await reachReleaseDay(
      { ...release, ...momentOf(release.details!) },
      { correlationId: 'corr' },
      { releases: store, schedules: idleSchedules, now: () => new Date('2027-03-05T00:00:01Z') },
    );
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      (await store.get('lbl-nightshift', 'rel-night-drive'))!,
    );
    // Before the deploy, the release day's out-now told the German outlet, announced again, under round 0's identity.
    world.clock.now += 60_000;
    const at = world.deps.now().toISOString();
    const told = await world.deliveries.claim(aReleaseClaim(german, { kind: 'out-now' }), at);
    await world.deliveries.markSent(told!.deliveryId, 'msg-before', at);
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
    ]);

    // After it, the out-now is asked again (a redelivery, a follow-up of a late first mail).
    await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());

    expect(world.mailer.receivedBy(german.email, 'out-now')).toEqual([]);
    expect(world.mailer.receivedBy(british.email, 'out-now')).toHaveLength(1);
  });
});
