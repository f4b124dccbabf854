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

describe('a withdrawal whose Email Sent and sender settle it at once, the territory given back meanwhile', () => {
  it('announces the outlet again when its sender marks the withdrawal between the Email Sent read and mark', async () => {
    const { german, release, world, store, label } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());

    // While SES sends the withdrawal, the label gives DE back (its announcement passes the address,
    // the withdrawal still claimed) and the withdrawal's Email Sent arrives: it reads the claim open,
    // and its mark lands after the sender's, which marks the withdrawal when SES answers.
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const markSentMany = world.deps.deliveries.markSentMany.bind(world.deps.deliveries);
    let settling: Promise<number[]> | undefined;
    const send = world.deps.mailer.sendBulk;
    world.deps.mailer.sendBulk = async (mail) => {
      const results = await send(mail);
      if (mail.kind === 'cancellation' && !settling) {
        await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
        const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');
        // The Email Sent's mark (the first to come) waits for the sender's.
        let calls = 0;
        world.deps.deliveries.markSentMany = async (sent, at) => {
          if (calls++ === 0) await gate;
          return markSentMany(sent, at);
        };
        settling = settleFromEmailsSent([emailSent(withdrawal)], world.deps);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return results;
    };
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    openGate();
    expect(await settling).toEqual([]);
    world.deps.deliveries.markSentMany = markSentMany;
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(1);
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');
    const marked = await world.deps.deliveries.getMany([withdrawal.deliveryId]);
    expect(marked.get(withdrawal.deliveryId)?.status).toBe('sent');

    await runRequested(world, 'announcement');

    // The withdrawal is marked sent, DE is the outlet's again: it is announced again, once.
    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(1);
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
  });
});
