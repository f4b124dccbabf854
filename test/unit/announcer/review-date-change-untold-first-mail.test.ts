import { describe, expect, it } from 'vitest';
import { type MailingRequest, sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { decideChange } from '#functions/releases/apply-change.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import { announce, type FakeWorld, fakeWorld, far, mailTextOf, meta } from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails, aStoredRelease } from '#test/support/releases.ts';

const key = 'lbl-nightshift/rel-night-drive';

/** The label's description at `occurredAt`, as releases applies it: the date-change mailings it asks. */
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

describe('one change that moves the worldwide date and drops a country’s own date, to an outlet whose announcement kept no told dates', () => {
  // "Worldwide on 5 March (London), Japan on 12 March (Tokyo)"; then worldwide on 19 March, Japan no longer named.
  const worldwideAndJapan = aReleaseDetails({
    territories: ['WW', 'JP'],
    territoryDates: [{ territories: ['JP'], releaseDate: '2027-03-12', timeZone: 'Asia/Tokyo' }],
  });
  const worldwideLater = aReleaseDetails({ territories: ['WW'], releaseDate: '2027-03-19' });

  it('tells the Japanese outlet the date Japan moved from, not the worldwide one', async () => {
    const japanese = anOutlet({ territories: ['JP'] });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: worldwideAndJapan })],
      outlets: [japanese],
    });
    await sendMailing(announce, meta, world.deps, far());
    // Announced by a sender from before first mails kept the dates they told (docs/design.md#exactly-once-mail).
    const [announcement] = world.mailer.receivedBy(japanese.email, 'announcement');
    const { told: _told, ...withoutTold } = world.deliveries.items.get(announcement.deliveryId)!;
    world.deliveries.items.set(announcement.deliveryId, withoutTold);

    for (const request of labelChanges(world, worldwideLater, '2026-02-01T10:00:00.000Z'))
      await sendMailing(request, meta, world.deps, far());

    expect(world.mailer.receivedBy(japanese.email, 'date-change')).toHaveLength(1);
    expect(mailTextOf(world, japanese.email, 'date-change')?.previousReleaseDate).toBe(
      'Friday, 12 March 2027, 00:00 (Asia/Tokyo)',
    );
  });

  it('tells it so in the sweep’s resend too', async () => {
    const japanese = anOutlet({ territories: ['JP'] });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: worldwideAndJapan })],
      outlets: [japanese],
    });
    await sendMailing(announce, meta, world.deps, far());
    const [announcement] = world.mailer.receivedBy(japanese.email, 'announcement');
    const { told: _told, ...withoutTold } = world.deliveries.items.get(announcement.deliveryId)!;
    world.deliveries.items.set(announcement.deliveryId, withoutTold);
    // SES takes the date change, but its answer is lost: the sweep writes it again from the release.
    world.mailer.script = (mail) => (mail.kind === 'date-change' ? 'accept-then-fail' : (undefined as never));
    for (const request of labelChanges(world, worldwideLater, '2026-02-01T10:00:00.000Z'))
      await sendMailing(request, meta, world.deps, far()).catch(() => {});
    world.mailer.script = undefined;
    world.clock.now += defaultSettings.staleClaimMs + 60_000;

    await sweepStaleClaims(world.deps, far());

    const [, resent] = world.mailer.calls.filter((call) => call.kind === 'date-change');
    const text = {
      ...(resent.defaultData as { text: object }).text,
      ...(resent.entries[0].data as { text: object }).text,
    } as { previousReleaseDate?: string };
    expect(text.previousReleaseDate).toBe('Friday, 12 March 2027, 00:00 (Asia/Tokyo)');
  });
});
