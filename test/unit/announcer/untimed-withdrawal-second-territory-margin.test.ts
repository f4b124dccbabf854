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
 * outlet; a claim made before that, never held, is resent once stale, as any. A withdrawal stored
 * before per-territory times were kept "has none, applied before any claim".
 *
 * While a withdrawal stored with no time at all stands, a territory withdrawn later keeps its time and
 * the record's territories are kept as '' (withdrawnSince). FR was withdrawn before times were kept;
 * then the announcement to the German and the British outlet is claimed and SES answers for neither.
 * DE is withdrawn and given back within minutes, FR still withdrawn: DE's giving back keeps
 * {FR: '', DE: <its time>}, after the German claim, so the first sweep past the stale window resends
 * both outlets' announcements.
 */
describe('FR withdrawn before any withdrawal time was kept, an announcement claimed and never sent, DE withdrawn and given back', () => {
  // A territory withdrawn while a withdrawal with no times stands keeps its time, that withdrawal's
  // territories '' (docs/design.md#exactly-once-mail); when it kept none, a never-held claim waited a
  // stale window more: it failed with [] where [announcement] is due for the German outlet.
  it('is resent to the German outlet by the first sweep past the stale window, as to the British', async () => {
    // FR withdrawn before anyone is announced, stored as before withdrawal times were kept: none.
    const press = await frWithdrawnBeforeAnyAnnouncement();
    const { german, british, world, store } = press;
    const stored = store.stored.get('lbl-nightshift/rel-night-drive')!;
    const { applied, ...legacy } = stored.withdrawn!;
    expect(applied?.FR).toBeDefined();
    stored.withdrawn = legacy;
    world.releases.set('lbl-nightshift/rel-night-drive', structuredClone(stored));

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
