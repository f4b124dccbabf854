import { describe, expect, it } from 'vitest';
import {
  announcementClaimedUnanswered,
  deWithdrawnAndGivenBackFrOut,
  frWithdrawnBeforeAnyAnnouncement,
  sweptPastStale,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: heldBeforeHeldAt takes a first mail as held before holds kept
 * `heldAt` only where its claim time is after the withdrawal that giving back ended came to concern the
 * outlet; a claim made before that, never held, is resent once stale, as any.
 *
 * Releases keeps each withdrawn territory's time (`withdrawn.applied`), and a giving back those of the
 * withdrawal it ended (`withdrawnApplied`). FR is withdrawn first; then the announcement to the German and
 * the British outlet is claimed and SES answers for neither (nothing sent). DE is withdrawn and given back
 * within the half hour, FR still withdrawn: DE's giving back keeps both times, DE's after the German
 * claim, so the first sweep past the stale window resends both outlets' announcements.
 */
describe('FR withdrawn, then an announcement claimed and never sent, DE withdrawn and given back before it is stale', () => {
  it('is resent to the German outlet by the first sweep past the stale window, as to the British', async () => {
    // FR withdrawn before anyone is announced (its withdrawal tells nobody).
    const press = await frWithdrawnBeforeAnyAnnouncement();
    const { german, british, world } = press;
    expect(world.releases.get('lbl-nightshift/rel-night-drive')?.withdrawn?.territories).toEqual(['FR']);

    // Ten minutes later the announcement is claimed; SES answers its call for no entry: nothing sent.
    await announcementClaimedUnanswered(world);
    expect(world.mailer.delivered).toEqual([]);

    // DE withdrawn and given back within minutes (FR stays withdrawn), both passing the open claims.
    await deWithdrawnAndGivenBackFrOut(press);
    expect(world.mailer.delivered).toEqual([]);

    // The first sweep past the stale window.
    await sweptPastStale(world);

    expect(world.mailer.kindsReceivedBy(british.email)).toEqual(['announcement']);
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual(['announcement']);
  });
});
