import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { settleFromEmailsSent, sweepStaleClaims } from '#functions/announcer/settle.ts';
import { countMail, deliveryRows } from '#functions/management/releases.ts';
import { applyReleaseChange, type ReleaseChange } from '#functions/releases/apply-change.ts';
import type { ReleasesDeps } from '#functions/releases/ports.ts';
import { announce, detailOf, emailSent, fakeWorld, far, meta } from '#test/support/announcer-fakes.ts';
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

describe('the release view of a re-announcement closed unsent by the sweep that SES had sent', () => {
  it('counts it as sent once its late Email Sent shows it went, not as failed', async () => {
    const { german, release, world, store, label } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    // As review-closed-unsent-but-sent.test.ts: SES sends the re-announcement, its answer lost; DE is
    // withdrawn again, the sweep closes it as no longer wanted, and its Email Sent comes after.
    world.mailer.script = (mail) =>
      mail.kind === 'announcement' ? 'accept-then-fail' : (undefined as never);
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z').catch(() => {});
    world.mailer.script = undefined;
    await label(withdrawDe, 'evt-withdrawn-again', '2026-02-03T10:00:00.000Z');
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    const announcements = world.mailer.receivedBy(german.email, 'announcement');
    await settleFromEmailsSent([emailSent(announcements[1])], world.deps);

    // The German outlet received both announcements: the label's view says so.
    const theirs = [...world.deliveries.items.values()].filter((d) => d.context.outletId === german.id);
    expect(countMail(theirs).announcement).toMatchObject({ sent: 2, failed: 0 });
    const [reAnnounced] = deliveryRows(theirs, new Map()).filter(
      (row) => row.kind === 'announcement' && row.revision !== undefined,
    );
    expect(reAnnounced).toMatchObject({ status: 'sent', messageId: announcements[1].messageId });
  });
});
