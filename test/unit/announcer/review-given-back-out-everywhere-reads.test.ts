import { describe, expect, it } from 'vitest';
import { releaseMailIdentity, sendMailing } from '#functions/announcer/mailing.ts';
import { reachReleaseDay } from '#functions/releases/release-day.ts';
import { deliveryIdOf } from '#shared/db/deliveries.ts';
import { momentOf } from '#shared/releases.ts';
import {
  aLabelAndItsPress,
  announce,
  far,
  giveDeBack,
  meta,
  runRequested,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';
import { anOutlet, idleSchedules } from '#test/support/releases.ts';

/**
 * A country given back to a release out everywhere announces again only the outlets told of its
 * withdrawal there (docs/design.md#exactly-once-mail), and an outlet no giving back concerns costs what
 * it did before any: here, nothing, since a release out everywhere mails nobody new. The mailings the
 * giving back asks (its announcement, naming DE, and the out-now that announcement asks as it completes)
 * read every British outlet's deliveries and try to claim an out-now for each, to tell one German outlet.
 */
describe('the cost of a country given back to a release out everywhere', () => {
  it('reads and claims nothing for the British outlets, never withdrawn', async () => {
    const german = anOutlet({ kind: 'press', territories: ['DE'] });
    const british = Array.from({ length: 20 }, () => anOutlet({ kind: 'press', territories: ['GB'] }));
    const { release, world, store, label } = aLabelAndItsPress(['GB', 'DE'], [german, ...british]);
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await reachReleaseDay(
      { ...release, ...momentOf(release.details!) },
      { correlationId: 'corr' },
      { releases: store, schedules: idleSchedules, now: () => new Date('2027-03-05T00:00:01Z') },
    );
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      (await store.get('lbl-nightshift', 'rel-night-drive'))!,
    );
    await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');

    const read: string[] = [];
    const getMany = world.deps.deliveries.getMany.bind(world.deps.deliveries);
    world.deps.deliveries.getMany = async (ids, options) => {
      read.push(...ids);
      return getMany(ids, options);
    };
    const claimed: string[] = [];
    const claimMany = world.deps.deliveries.claimMany.bind(world.deps.deliveries);
    world.deps.deliveries.claimMany = async (claims, at) => {
      claimed.push(...claims.map((claim) => claim.email));
      return claimMany(claims, at);
    };
    // DE given back: the German outlet is announced again, and told again that the release is out.
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    await runRequested(world, 'out-now');
    expect(world.mailer.receivedBy(german.email).map((m) => m.kind)).toEqual([
      'announcement',
      'out-now',
      'cancellation',
      'announcement',
      'out-now',
    ]);

    // Every mail of a British outlet the mailings could look up: each kind, in round 0 or round 1.
    const britishIds = new Set(
      british.flatMap((outlet) =>
        (['announcement', 'radio-servicing', 'out-now', 'cancellation'] as const).flatMap((kind) =>
          [undefined, 'given-back-1'].map((revision) =>
            deliveryIdOf(releaseMailIdentity(release, outlet.email, kind, { revision })),
          ),
        ),
      ),
    );
    const britishEmails = new Set(british.map((outlet) => outlet.email));
    expect({
      britishReads: read.filter((id) => britishIds.has(id)).length,
      britishClaimsTried: claimed.filter((email) => britishEmails.has(email)).length,
    }).toEqual({ britishReads: 0, britishClaimsTried: 0 });
  });
});
