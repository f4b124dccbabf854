import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { settleFromEmailsSent, sweepStaleClaims } from '#functions/announcer/settle.ts';
import { applyReleaseChange, type ReleaseChange } from '#functions/releases/apply-change.ts';
import type { ReleasesDeps } from '#functions/releases/ports.ts';
import {
  announce,
  detailOf,
  emailSent,
  fakeWorld,
  far,
  meta,
  runRequested,
} from '#test/support/announcer-fakes.ts';
import {
  anOutlet,
  aReleaseDetails,
  aStoredRelease,
  InMemoryReleases,
  idleSchedules,
} from '#test/support/releases.ts';

/** As given-back.test.ts: a DE territory withdrawn and given back (docs/design.md#exactly-once-mail). */
function aLabelAndItsPress() {
  const german = anOutlet({ kind: 'press', territories: ['DE'] });
  const british = anOutlet({ kind: 'press', territories: ['GB'] });
  const release = aStoredRelease({ details: aReleaseDetails({ territories: ['GB', 'DE'] }) });
  const world = fakeWorld({ releases: [release], outlets: [german, british] });
  const store = new InMemoryReleases();
  const deps: ReleasesDeps = {
    releases: store,
    schedules: idleSchedules,
    now: () => new Date('2027-03-01T12:00:00Z'),
  };
  let played = 0;
  const label = async (change: ReleaseChange, eventId: string, occurredAt: string) => {
    await applyReleaseChange(
      change,
      { labelId: 'lbl-nightshift', eventId, correlationId: 'corr', occurredAt },
      deps,
    );
    const stored = (await store.get('lbl-nightshift', 'rel-night-drive'))!;
    world.releases.set('lbl-nightshift/rel-night-drive', stored);
    const asked = store.published.slice(played).filter((e) => e.detailType === 'Mailing Requested');
    played = store.published.length;
    for (const entry of asked) await sendMailing(detailOf(entry).data, meta, world.deps, far());
    return stored;
  };
  return { german, release, world, store, label };
}

const withdrawDe: ReleaseChange = {
  type: 'Release Cancelled',
  releaseId: 'rel-night-drive',
  territories: ['DE'],
};
const giveDeBack: ReleaseChange = {
  type: 'Release Updated',
  details: aReleaseDetails({ territories: ['GB', 'DE'] }),
};

describe('a withdrawal SES sent whose Email Sent reads it open while the sweep closes it unsent', () => {
  it('records that it went, and the outlet is announced again after the giving back', async () => {
    const { german, release, world, store, label } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    // SES sends the withdrawal, its answer lost: the claim stays open. DE is given back (its
    // announcement passes the address, the withdrawal still claimed).
    world.mailer.script = (mail) =>
      mail.kind === 'cancellation' ? 'accept-then-fail' : (undefined as never);
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z').catch(() => {});
    world.mailer.script = undefined;
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(1);
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');

    // Its Email Sent comes late, as the sweep runs: the event reads the claim open, and the sweep
    // closes it unsent (no longer wanted: DE is the outlet's again) before the event's mark.
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    const markSentMany = world.deps.deliveries.markSentMany.bind(world.deps.deliveries);
    world.deps.deliveries.markSentMany = async (sent, at) => {
      world.deps.deliveries.markSentMany = markSentMany;
      await sweepStaleClaims(world.deps, far());
      return markSentMany(sent, at);
    };
    expect(await settleFromEmailsSent([emailSent(withdrawal)], world.deps)).toEqual([]);
    world.deps.deliveries.markSentMany = markSentMany;
    await runRequested(world, 'announcement');

    // SES sent the withdrawal: the delivery shows it went, and DE being the outlet's again, it is
    // announced again, once (docs/design.md#exactly-once-mail).
    const recorded = await world.deps.deliveries.getMany([withdrawal.deliveryId]);
    expect(recorded.get(withdrawal.deliveryId)?.status).toBe('failed');
    expect(recorded.get(withdrawal.deliveryId)?.messageId).toBe(withdrawal.messageId);
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
  });
});
