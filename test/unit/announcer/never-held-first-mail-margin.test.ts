import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import {
  aLabelAndItsPress,
  announce,
  far,
  giveDeBack,
  meta,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: "A claim still open after the stale window is sent again"; the
 * margin a late Email Sent gets once a held first mail is wanted again is for a claim the sweep held,
 * and "A first mail held before holds kept `heldAt` (that hold moved its claim time into the withdrawal,
 * no write since) and written before a giving back of its outlet's territories is taken as so held".
 *
 * c52dc45's heldBeforeHeldAt checks the second half only: any first mail with no write since its claim
 * (claimedAt = updatedAt, as every claim has) of a release given back since it was
 * written. The announcement to the German and the British outlet is claimed and SES answers for
 * neither (nothing sent); DE is withdrawn and given back within the half hour (the withdrawal and the
 * giving back's announcement pass the open claims). The first sweep past the stale window resends the
 * British outlet's announcement, but holds the German outlet's once more (as wanted, for a margin it
 * already had): it is sent a stale window later, an hour after its claim.
 */
describe('an announcement claimed and never sent, DE withdrawn and given back before it is stale', () => {
  it('is resent to the German outlet by the first sweep past the stale window, as to the British', async () => {
    const press = aLabelAndItsPress();
    const { german, british, release, world, store, label } = press;
    await store.putIfNewer(release, []);
    // SES answers the announcement's call for no entry: nothing sent, both claims open.
    world.mailer.script = (mail) => (mail.kind === 'announcement' ? [] : (undefined as never));
    await sendMailing(announce, meta, world.deps, far());
    world.mailer.script = undefined;
    expect(world.mailer.delivered).toEqual([]);

    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    expect(world.mailer.delivered).toEqual([]);

    // The first sweep past the stale window.
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());

    expect(world.mailer.kindsReceivedBy(british.email)).toEqual(['announcement']);
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual(['announcement']);
  });
});
