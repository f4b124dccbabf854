import { describe, expect, it } from 'vitest';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { aReAnnouncementHeldButSent, far } from '#test/support/announcer-fakes.ts';

/**
 * A re-announcement held by the sweep while DE is withdrawn (docs/design.md#exactly-once-mail) is
 * taken over with its claim time at the stale boundary, so every sweep (each minute) finds it stale
 * again and rebuilds it: the release, the outlets and what the address was told are read again, and
 * the claim written again, every minute for as long as DE stays withdrawn, which may be for good (no
 * step lapses, as a show's does). Nothing can change for it but a giving back or the release's
 * cancellation, and a withdrawal that stands for months costs ~1,440 rebuilds a day per held claim.
 */
describe('a re-announcement held while its territory stays withdrawn', () => {
  it('is not rebuilt by every sweep while nothing about it changes', async () => {
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
    expect({ releaseReads }).toEqual({ releaseReads: 0 });
  });
});
