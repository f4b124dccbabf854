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

describe('a withdrawal SES sent, closed unsent by the sweep, whose late Email Sent fails to ask the next round', () => {
  it('asks it on the event’s retry, and the outlet is announced again after the giving back', async () => {
    const { german, release, world, store, label } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    // SES sends the withdrawal, its answer lost; DE is given back (the announcement passes the
    // address, the withdrawal still claimed), and the sweep closes the withdrawal as no longer wanted.
    world.mailer.script = (mail) =>
      mail.kind === 'cancellation' ? 'accept-then-fail' : (undefined as never);
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z').catch(() => {});
    world.mailer.script = undefined;
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');
    expect(
      (await world.deps.deliveries.getMany([withdrawal.deliveryId])).get(withdrawal.deliveryId)?.status,
    ).toBe('failed');

    // Its late Email Sent records that it went, but the ask of the next round fails to publish: the
    // batch fails, and the event is tried again (docs/design.md#exactly-once-mail).
    const publish = world.deps.events.publish;
    world.deps.events.publish = async () => {
      world.deps.events.publish = publish;
      throw new Error('EventBridge unavailable');
    };
    await expect(settleFromEmailsSent([emailSent(withdrawal)], world.deps)).rejects.toThrow();
    await settleFromEmailsSent([emailSent(withdrawal)], world.deps);
    await runRequested(world, 'announcement');

    // Told DE was withdrawn, and DE is the outlet's again: it is announced again, once.
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
  });
});
