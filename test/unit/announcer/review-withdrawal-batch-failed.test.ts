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

describe('a withdrawal found marked by its Email Sent, in a batch whose settling fails', () => {
  it('announces the outlet again once the batch is retried as the queue retries it', async () => {
    const { german, release, world, store, label } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    // The label gives DE back while SES sends the withdrawal: its announcement passes the address,
    // and the withdrawal's sender marks it sent after.
    const send = world.deps.mailer.sendBulk;
    world.deps.mailer.sendBulk = async (mail) => {
      const results = await send(mail);
      if (mail.kind === 'cancellation') await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
      return results;
    };
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    world.deps.mailer.sendBulk = send;
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(1);
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');
    // Another mail's claim, still open, in the same batch of Email Sent: marking it fails once (throttled).
    const other = (await world.deps.deliveries.claim(
      {
        labelId: 'lbl-nightshift',
        subject: ['show', 'shw-1'],
        email: 'promoter@example.com',
        kind: 'advance-request',
        stream: 'operational',
      },
      new Date(world.clock.now).toISOString(),
    ))!;
    const batch = [
      emailSent(withdrawal),
      emailSent({ messageId: 'msg-other', email: other.email, deliveryId: other.deliveryId }),
    ];
    const markSentMany = world.deps.deliveries.markSentMany.bind(world.deps.deliveries);
    world.deps.deliveries.markSentMany = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    const failed = await settleFromEmailsSent(batch, world.deps);
    world.deps.deliveries.markSentMany = markSentMany;
    // The withdrawal's event is answered as settled (it found the withdrawal marked), the other's as failed.
    expect(failed).toEqual([1]);
    // The queue delivers again the events the batch answered as failed, and only those.
    await settleFromEmailsSent(
      failed.map((index) => batch[index]),
      world.deps,
    );
    await runRequested(world, 'announcement');

    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
  });
});
