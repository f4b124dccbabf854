import { describe, expect, it } from 'vitest';
import { releaseMailIdentity, roundTag, sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { deliveryIdOf, dynamoDeliveries } from '#shared/db/deliveries.ts';
import {
  aLabelAndItsPress,
  announce,
  far,
  gbMovedItsAnswerLost,
  meta,
  reAnnouncementUnansweredThenWithdrawnAgain,
} from '#test/support/announcer-fakes.ts';
import { documentClient } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import { anOutlet } from '#test/support/releases.ts';

const table = aTableOfItsOwn('backline-review-held');

/** The open claims' shard of a delivery id, as shared/db/deliveries.ts keys it (8 shards). */
const shardOf = (deliveryId: string) => Number.parseInt(deliveryId.slice(0, 4), 16) % 8;
const release = { labelId: 'lbl-nightshift', releaseId: 'rel-night-drive' };

/**
 * docs/design.md#exactly-once-mail: a release's first mail held while its territory is withdrawn is
 * held at the sweep's time, "so the sweep ... never reads it ahead of a claim just gone stale" (a sweep
 * reads at most `limit` stale claims, oldest first). The open claims are sharded on DynamoDB, and the
 * store reads them oldest first across the shards, as the fake does (the store contract's rule), so a
 * held claim in a lower shard is not read ahead of an older claim just gone stale in a higher one.
 * Here: the German outlet's held re-announcement in shard 0, the British outlet's date change (SES's
 * answer lost) claimed 30 s before the hold, a sweep reading 1.
 */
describe('a claim just gone stale, older than a held claim in a lower shard, on DynamoDB', () => {
  it('is resent by the sweep that finds it stale', async () => {
    // The German outlet's re-announcement (round given-back-1) in shard 0.
    let n = 0;
    const email = () => `held-${n}@press.example`;
    const reAnnouncementId = () =>
      deliveryIdOf(releaseMailIdentity(release, email(), 'announcement', { revision: roundTag(1) }));
    while (shardOf(reAnnouncementId()) !== 0) n++;
    const german = anOutlet({ kind: 'press', territories: ['DE'], email: email() });
    const british = anOutlet({ kind: 'press', territories: ['GB'], email: 'desk-2@press.example' });
    const press = aLabelAndItsPress(['GB', 'DE'], [german, british]);
    const { world, store } = press;
    world.deps.deliveries = dynamoDeliveries(documentClient(), table.name);
    const limit = 1;
    await store.putIfNewer(press.release, []);
    await sendMailing(announce, meta, world.deps, far());
    // DE withdrawn; given back, SES's answer to the re-announcement lost; DE withdrawn again.
    await reAnnouncementUnansweredThenWithdrawnAgain(press);

    // The British outlet's date change, 30 s before the sweep that holds the re-announcement: SES's
    // answer lost, its claim left open.
    world.clock.now += defaultSettings.staleClaimMs + 30_000;
    await gbMovedItsAnswerLost(press);
    world.clock.now += 30_000;
    await sweepStaleClaims(world.deps, far(), limit);
    const open = await world.deps.deliveries.stale('release', '9999', 10);
    expect(open.map((claim) => [claim.kind, shardOf(claim.deliveryId) > 0])).toEqual(
      expect.arrayContaining([
        ['announcement', false],
        ['date-change', true],
      ]),
    );
    const held = open.find((claim) => claim.kind === 'announcement')!;
    const dateChange = open.find((claim) => claim.kind === 'date-change')!;
    // The held claim's place among the open claims (heldAt; its claim time stays) is after the date change's.
    expect(dateChange.claimedAt < held.heldAt!).toBe(true);

    // The first sweep after both are stale: the date change, stale since longer, is the one it reads.
    world.clock.now += defaultSettings.staleClaimMs + 30_000;
    await sweepStaleClaims(world.deps, far(), limit);

    expect(world.mailer.receivedBy(british.email, 'date-change')).toHaveLength(1);
  });
});
