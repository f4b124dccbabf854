import { describe, expect, it } from 'vitest';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { aReAnnouncementHeldButSent, far } from '#test/support/announcer-fakes.ts';

/**
 * A re-announcement held by the sweep while DE is withdrawn (docs/design.md#exactly-once-mail) is held
 * at the sweep's time, so the sweep looks at it again only once it is stale again: nothing can change
 * for it but a giving back or the release's cancellation, and a withdrawal may stand for months. Held at
 * the stale boundary, every sweep (each minute) rebuilt it: the release, the outlets and what the
 * address was told read again, the claim written again, ~1,440 times a day per held claim.
 */
describe('a re-announcement held while its territory stays withdrawn', () => {
  it('is rebuilt once per staleClaimMs, not by every sweep, while nothing about it changes', async () => {
    const { german, world } = await aReAnnouncementHeldButSent();
    const held = [...world.deliveries.items.values()].find(
      (delivery) =>
        delivery.email === german.email && delivery.kind === 'announcement' && delivery.status === 'claimed',
    );
    expect(held).toBeDefined();

    let releaseReads = 0;
    const get = world.deps.releases.get.bind(world.deps.releases);
    world.deps.releases.get = async (...args: Parameters<typeof get>) => {
      releaseReads++;
      return get(...args);
    };
    // An hour of sweeps, one a minute, DE still withdrawn.
    for (let minute = 0; minute < 60; minute++) {
      world.clock.now += 60_000;
      await sweepStaleClaims(world.deps, far());
    }

    expect(world.deliveries.items.get(held!.deliveryId)?.status).toBe('claimed');
    // Held at the sweep's time, it is looked at again once stale again: once per staleClaimMs, not a minute.
    const due = Math.floor((60 * 60_000) / defaultSettings.staleClaimMs);
    expect(releaseReads).toBeLessThanOrEqual(due);
  });
});
