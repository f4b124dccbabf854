import { describe, expect, it } from 'vitest';
import { type MailingRequest, sendMailing } from '#functions/announcer/mailing.ts';
import { settleFromEmailsSent } from '#functions/announcer/settle.ts';
import { decideChange } from '#functions/releases/apply-change.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import {
  announce,
  emailSent,
  type FakeWorld,
  fakeWorld,
  far,
  mailTextOf,
  meta,
  runRequested,
} from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails, aStoredRelease } from '#test/support/releases.ts';

const key = 'lbl-nightshift/rel-night-drive';

/** As review-date-change-untold-first-mail.test.ts: the date-change mailings the label's description asks. */
function labelChanges(world: FakeWorld, details: ReleaseDetails, occurredAt: string): MailingRequest[] {
  const { next, effects } = decideChange(
    world.releases.get(key),
    { type: 'Release Updated', details },
    { labelId: 'lbl-nightshift', eventId: `evt-${occurredAt}`, correlationId: 'corr-1', occurredAt },
    occurredAt,
  );
  world.releases.set(key, next);
  return effects.flatMap((effect) =>
    effect.type === 'request-mailing' && effect.kind === 'date-change'
      ? [
          {
            ...announce,
            kind: 'date-change' as const,
            ...(effect.revision ? { revision: effect.revision } : {}),
            ...(effect.moment ? { moment: effect.moment } : {}),
            ...(effect.territories ? { territories: effect.territories } : {}),
            ...(effect.movedFrom ? { movedFrom: effect.movedFrom } : {}),
          },
        ]
      : [],
  );
}

describe('a late announcement that kept no told dates, settled by its Email Sent after WW moved and Japan’s own date was dropped', () => {
  const worldwideAndJapan = aReleaseDetails({
    territories: ['WW', 'JP'],
    territoryDates: [{ territories: ['JP'], releaseDate: '2027-03-12', timeZone: 'Asia/Tokyo' }],
  });
  const worldwideLater = aReleaseDetails({ territories: ['WW'], releaseDate: '2027-03-19' });

  it('tells the Japanese outlet, in the date change its settling asks, the date Japan moved from', async () => {
    const japanese = anOutlet({ territories: ['JP'] });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: worldwideAndJapan })],
      outlets: [japanese],
    });
    // SES takes the announcement, its answer lost: the claim stays open. It was claimed by a sender
    // from before first mails kept the dates they told (docs/design.md#exactly-once-mail).
    world.mailer.script = (mail) =>
      mail.kind === 'announcement' ? 'accept-then-fail' : (undefined as never);
    await sendMailing(announce, meta, world.deps, far()).catch(() => {});
    world.mailer.script = undefined;
    const [announcement] = world.mailer.receivedBy(japanese.email, 'announcement');
    const { told: _told, ...withoutTold } = world.deliveries.items.get(announcement.deliveryId)!;
    world.deliveries.items.set(announcement.deliveryId, withoutTold);

    // The change's own mailing passes the outlet (its first mail still claimed).
    for (const request of labelChanges(world, worldwideLater, '2026-02-01T10:00:00.000Z'))
      await sendMailing(request, meta, world.deps, far());
    expect(world.mailer.receivedBy(japanese.email, 'date-change')).toHaveLength(0);

    // The announcement's Email Sent settles it, and asks the follow-ups for its outlet.
    await settleFromEmailsSent([emailSent(announcement)], world.deps);
    await runRequested(world, 'date-change');

    expect(world.mailer.receivedBy(japanese.email, 'date-change')).toHaveLength(1);
    expect(mailTextOf(world, japanese.email, 'date-change')?.previousReleaseDate).toBe(
      'Friday, 12 March 2027, 00:00 (Asia/Tokyo)',
    );
  });
});
