import { describe, expect, it } from 'vitest';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import {
  anAnnouncedPress,
  far,
  gbMovedItsAnswerLost,
  reAnnouncementUnansweredThenWithdrawnAgain,
} from '#test/support/announcer-fakes.ts';
import { anOutlet } from '#test/support/releases.ts';

/**
 * A release's first mail held while its territory is withdrawn is held at the sweep's time
 * (docs/design.md#exactly-once-mail), not at the stale boundary, which is older than any claim just
 * gone stale: with more held claims than a sweep reads (oldest first, `limit` a sweep), they would be
 * read ahead of a genuinely stale mail, which would wait a minute for every `limit` held claims. Here:
 * 3 held, a sweep reading 2, the British date change resent by the sweep that finds it stale.
 */
describe('claims held while their territory is withdrawn, more than a sweep reads', () => {
  it('do not keep a claim that has just become stale from the sweep that finds it stale', async () => {
    const germans = [1, 2, 3].map(() => anOutlet({ kind: 'press', territories: ['DE'] }));
    const british = anOutlet({ kind: 'press', territories: ['GB'] });
    const press = await anAnnouncedPress(['GB', 'DE'], [...germans, british]);
    const { world } = press;
    const limit = 2;
    // SES's answers to the re-announcements are lost; DE is withdrawn again: the sweeps hold all three.
    await reAnnouncementUnansweredThenWithdrawnAgain(press);
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    for (let minute = 0; minute < 3; minute++) {
      await sweepStaleClaims(world.deps, far(), limit);
      world.clock.now += 60_000;
    }
    const held = [...world.deliveries.items.values()].filter(
      (d) => d.kind === 'announcement' && d.revision === 'given-back-1' && d.status === 'claimed',
    );
    expect(held).toHaveLength(3);

    // The British outlet's date change: SES's answer lost, its claim left open.
    await gbMovedItsAnswerLost(press);
    const claim = [...world.deliveries.items.values()].find((d) => d.kind === 'date-change');
    expect(claim?.status).toBe('claimed');
    const claimedAt = Date.parse(claim!.claimedAt);

    // A sweep a minute, until the one that finds the date change stale.
    while (claimedAt >= world.clock.now - defaultSettings.staleClaimMs) {
      world.clock.now += 60_000;
      await sweepStaleClaims(world.deps, far(), limit);
    }
    expect(world.mailer.receivedBy(british.email, 'date-change')).toHaveLength(1);
  });
});
