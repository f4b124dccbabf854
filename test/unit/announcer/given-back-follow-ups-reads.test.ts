import { describe, expect, it } from 'vitest';
import { releaseMailIdentity, sendMailing } from '#functions/announcer/mailing.ts';
import { deliveryIdOf } from '#shared/db/deliveries.ts';
import {
  aLabelAndItsPress,
  announce,
  detailOf,
  far,
  giveDeBack,
  meta,
  whileAnnouncing,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';
import { anOutlet } from '#test/support/releases.ts';

/**
 * The first mail of a country given back to a release out everywhere reads only the outlets that
 * country concerns, and so do the follow-ups it asks as it completes: its out-now (naming the country)
 * and here the withdrawal of DE again, made while it was being sent, whose mailing decides by
 * territory alone who it may concern before reading any round. An outlet no giving back concerns costs
 * what it did before any (docs/design.md#exactly-once-mail): on a 5,000-outlet directory, not 5,000
 * outlets' reads to tell the one German outlet its withdrawal.
 */
describe('the follow-ups of a country given back to a release out everywhere, other than its out-now', () => {
  it('read nothing of the British outlets, never withdrawn', async () => {
    const german = anOutlet({ kind: 'press', territories: ['DE'] });
    const british = Array.from({ length: 20 }, () => anOutlet({ kind: 'press', territories: ['GB'] }));
    const { release, world, store, label, releaseDay } = aLabelAndItsPress(
      ['GB', 'DE'],
      [german, ...british],
    );
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await releaseDay();
    await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    // DE given back; while its announcement is being sent to the German outlet, DE is withdrawn again.
    let withdrawnAgain = false;
    whileAnnouncing(world, async () => {
      if (withdrawnAgain) return;
      withdrawnAgain = true;
      await label(withdrawDe, 'evt-withdrawn-again', '2026-02-03T10:00:00.000Z');
    });
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    expect(withdrawnAgain).toBe(true);

    // The follow-ups the giving back's announcement asked as it completed.
    const asked = world.published
      .filter((entry) => entry.detailType === 'Mailing Requested')
      .map((entry) => detailOf(entry).data);
    expect(asked.map((request) => request.kind)).toContain('cancellation');
    const read: string[] = [];
    const getMany = world.deps.deliveries.getMany.bind(world.deps.deliveries);
    world.deps.deliveries.getMany = async (ids, options) => {
      read.push(...ids);
      return getMany(ids, options);
    };
    for (const request of asked) await sendMailing(request, meta, world.deps, far());

    // Every mail of a British outlet the mailings could look up: each kind, in any round so far.
    const britishIds = new Set(
      british.flatMap((outlet) =>
        (['announcement', 'radio-servicing', 'out-now', 'cancellation'] as const).flatMap((kind) =>
          [undefined, 'given-back-1', 'given-back-2'].map((revision) =>
            deliveryIdOf(releaseMailIdentity(release, outlet.email, kind, { revision })),
          ),
        ),
      ),
    );
    expect({ britishReads: read.filter((id) => britishIds.has(id)).length }).toEqual({ britishReads: 0 });
  });
});
