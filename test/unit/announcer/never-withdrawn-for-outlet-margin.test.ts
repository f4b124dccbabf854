import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import type { ReleaseChange } from '#functions/releases/apply-change.ts';
import { standingWithdrawalConcerns } from '#shared/releases.ts';
import { aLabelAndItsPress, announce, far, meta } from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails } from '#test/support/releases.ts';

const describing = (territories: string[]): ReleaseChange => ({
  type: 'Release Updated',
  details: aReleaseDetails({ territories }),
});

/**
 * docs/design.md#exactly-once-mail: "A claim still open after the stale window is sent again"; the
 * margin before a resend is for a first mail the sweep held while the release was withdrawn where its
 * outlet is, and heldBeforeHeldAt takes a claim as held before holds kept `heldAt` only because such a
 * hold moved its claim time into the withdrawal. An outlet in GB and DE keeps the release while GB does
 * (withdrawnFor): a withdrawal of DE never concerned it, and the sweep never held its mail.
 *
 * DE is withdrawn; then the announcement is claimed for the British outlet and for an outlet in GB and
 * DE (reached through GB), and SES answers for neither (nothing sent). DE is given back within the half
 * hour. heldBeforeHeldAt once took the GB-and-DE outlet's claim (after the withdrawal was applied, its
 * outlet concerned by DE's giving back) as held before heldAt: the first sweep past the stale window
 * resent the British outlet's announcement but held the other once more, a stale window late.
 */
describe('an announcement claimed after DE was withdrawn, for an outlet in GB and DE, never sent; DE given back before it is stale', () => {
  it('is resent to the outlet in GB and DE by the first sweep past the stale window, as to the British', async () => {
    const britishAndGerman = anOutlet({ kind: 'press', territories: ['GB', 'DE'] });
    const british = anOutlet({ kind: 'press', territories: ['GB'] });
    const press = aLabelAndItsPress(['GB', 'DE'], [britishAndGerman, british]);
    const { release, world, store, label } = press;
    await store.putIfNewer(release, []);
    const withdrawn = await label(describing(['GB']), 'evt-de-withdrawn', '2026-01-15T10:00:00.000Z');
    expect(standingWithdrawalConcerns(britishAndGerman, withdrawn)).toBe(false);

    // Ten minutes later the announcement is claimed; SES answers its call for no entry: nothing sent.
    world.clock.now += 10 * 60_000;
    world.mailer.script = (mail) => (mail.kind === 'announcement' ? [] : (undefined as never));
    await sendMailing(announce, meta, world.deps, far());
    world.mailer.script = undefined;
    expect(world.mailer.delivered).toEqual([]);

    // DE given back within minutes: its announcement passes the open claims.
    world.clock.now += 60_000;
    await label(describing(['GB', 'DE']), 'evt-de-given-back', '2026-02-02T10:00:00.000Z');
    expect(world.mailer.delivered).toEqual([]);

    // The first sweep past the stale window.
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());

    expect(world.mailer.kindsReceivedBy(british.email)).toEqual(['announcement']);
    expect(world.mailer.kindsReceivedBy(britishAndGerman.email)).toEqual(['announcement']);
  });
});
