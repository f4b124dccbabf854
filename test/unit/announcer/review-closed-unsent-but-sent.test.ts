import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { settleFromEmailsSent, sweepStaleClaims } from '#functions/announcer/settle.ts';
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

describe('a re-announcement closed unsent by the sweep that SES had sent', () => {
  it('is not announced a third time by the next giving back once its Email Sent shows it went', async () => {
    const { german, release, world, store, label } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    // SES sends the re-announcement and its answer is lost; DE is withdrawn again before the sweep,
    // which closes the re-announcement as no longer wanted. Its Email Sent comes after: it went.
    world.mailer.script = (mail) =>
      mail.kind === 'announcement' ? 'accept-then-fail' : (undefined as never);
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z').catch(() => {});
    world.mailer.script = undefined;
    await label(withdrawDe, 'evt-withdrawn-again', '2026-02-03T10:00:00.000Z');
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    const announcements = world.mailer.receivedBy(german.email, 'announcement');
    expect(announcements).toHaveLength(2);
    await settleFromEmailsSent([emailSent(announcements[1])], world.deps);

    await label(giveDeBack, 'evt-given-back-again', '2026-02-04T10:00:00.000Z');

    // The address was announced again after the withdrawal and told nothing since: not a third time.
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
  });
});
