import { describe, expect, it } from 'vitest';
import { askFollowUpsSince, sendMailing } from '#functions/announcer/mailing.ts';
import type { StoredRelease } from '#shared/releases.ts';
import {
  aLabelAndItsPress,
  announce,
  far,
  mailTextOf,
  meta,
  runRequested,
} from '#test/support/announcer-fakes.ts';
import { aReleaseDetails } from '#test/support/releases.ts';

const moveTo = (releaseDate: string) => ({
  type: 'Release Updated' as const,
  details: aReleaseDetails({ territories: ['GB', 'DE'], releaseDate }),
});

/** The release as stored before a date change's identity named the date it moves from. */
const asStoredBefore = (release: StoredRelease): StoredRelease => {
  const { movedFromMoment: _kept, ...was } = release;
  return {
    ...was,
    dateChangesAsked: release.dateChangesAsked?.map(({ moment: _moment, ...asked }) => asked),
  };
};

/**
 * A release's date change is known by the date it moves to and the one it moves from
 * (docs/design.md#exactly-once-mail); until December 2026 by the first alone. A move asked before then
 * keeps that identity wherever it is asked or written again: its request (and the continuation of its
 * mailing) names no moment, nor does the release's record of it (`movedFromMoment`, `dateChangesAsked`),
 * nor the deliveries the sweep resends.
 */
describe('a date change asked before its identity named the date it moves from', () => {
  it('tells no address twice as its mailing, and its follow-ups asked again, go on', async () => {
    const { british, german, release, world, store, label, held } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    // Announced before first mails kept the dates they told: no date told is read, the identity alone decides.
    for (const delivery of world.deliveries.items.values()) delete delivery.told;
    await label(moveTo('2027-03-19'), 'evt-19', '2026-02-01T10:00:00.000Z', ['date-change']);
    // Before the deploy: the move asked by its new date alone, and its mailing told the British outlet.
    const before = asStoredBefore((await store.get('lbl-nightshift', 'rel-night-drive'))!);
    store.stored.set('lbl-nightshift/rel-night-drive', before);
    world.releases.set('lbl-nightshift/rel-night-drive', before);
    const { moment: _new, ...asked } = held[0];
    await sendMailing({ ...asked, outletIds: [british.id] }, meta, world.deps, far());
    expect(world.mailer.receivedBy(british.email, 'date-change')).toHaveLength(1);

    // After it: the mailing goes on over the directory, and a late first mail asks its follow-ups again.
    await sendMailing(asked, meta, world.deps, far());
    await askFollowUpsSince(before, '', undefined, world.deps);
    await runRequested(world, 'date-change');

    expect(world.mailer.receivedBy(british.email, 'date-change')).toHaveLength(1);
    expect(world.mailer.receivedBy(german.email, 'date-change')).toHaveLength(1);
  });

  it('is found as what the address was last told by a move after the deploy', async () => {
    const { british, release, world, store, label, held } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await label(moveTo('2027-03-19'), 'evt-19', '2026-02-01T10:00:00.000Z', ['date-change']);
    const before = asStoredBefore((await store.get('lbl-nightshift', 'rel-night-drive'))!);
    store.stored.set('lbl-nightshift/rel-night-drive', before);
    world.releases.set('lbl-nightshift/rel-night-drive', before);
    const { moment: _new, ...asked } = held[0];
    await sendMailing(asked, meta, world.deps, far());
    world.mailer.calls.length = 0;

    await label(moveTo('2027-03-26'), 'evt-26', '2026-02-02T10:00:00.000Z');

    expect(mailTextOf(world, british.email, 'date-change')).toMatchObject({
      releaseDate: 'Friday, 26 March 2027, 00:00 (Europe/London)',
      previousReleaseDate: 'Friday, 19 March 2027, 00:00 (Europe/London)',
    });
  });
});
