import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { settleFromEmailsSent } from '#functions/announcer/settle.ts';
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

describe('a withdrawal claimed before withdrawals kept the territories they told', () => {
  it('announces the outlet again once it settles after the territory was given back', async () => {
    const { german, release, world, store, label } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    // SES sends the withdrawal and its answer is lost: the claim stays open until its Email Sent.
    world.mailer.script = (mail) =>
      mail.kind === 'cancellation' ? 'accept-then-fail' : (undefined as never);
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z').catch(() => {});
    world.mailer.script = undefined;
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');
    // Claimed by a sender from before a withdrawal kept its outlet's territories (docs/design.md#embargoes).
    const claimed = world.deliveries.items.get(withdrawal.deliveryId)!;
    expect(claimed.status).toBe('claimed');
    world.deliveries.items.set(withdrawal.deliveryId, { ...claimed, context: { outletId: german.id } });
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(1);

    await settleFromEmailsSent([emailSent(withdrawal)], world.deps);
    await runRequested(world, 'announcement');

    // Told DE is withdrawn, DE theirs again: announced again, as a withdrawal written since is.
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
  });
});
