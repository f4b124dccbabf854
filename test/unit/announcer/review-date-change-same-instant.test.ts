import { describe, expect, it } from 'vitest';
import { type MailingRequest, sendMailing } from '#functions/announcer/mailing.ts';
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

describe('one change that moves the worldwide date and a country’s own date to the same instant, in its own zone', () => {
  // "Worldwide on 5 March (London), Japan on 12 March (Tokyo)"; then worldwide on 19 March 00:00 London
  // and Japan on 19 March 09:00 Tokyo: the very same instant (docs/design.md#street-dates-per-territory).
  const worldwideAndJapan = aReleaseDetails({
    territories: ['WW', 'JP'],
    territoryDates: [{ territories: ['JP'], releaseDate: '2027-03-12', timeZone: 'Asia/Tokyo' }],
  });
  const bothOnThe19th = aReleaseDetails({
    territories: ['WW', 'JP'],
    releaseDate: '2027-03-19',
    territoryDates: [
      { territories: ['JP'], releaseDate: '2027-03-19', releaseTime: '09:00', timeZone: 'Asia/Tokyo' },
    ],
  });

  it.each(['as asked', 'reversed'])(
    'tells an outlet covering WW once, with both dates it was told (mailings run %s)',
    async (order) => {
      const japanese = anOutlet({ territories: ['JP'] });
      const everywhere = anOutlet({ territories: ['WW'] });
      const world = fakeWorld({
        releases: [aStoredRelease({ details: worldwideAndJapan })],
        outlets: [japanese, everywhere],
      });
      await sendMailing(announce, meta, world.deps, far());

      const asked = labelChanges(world, bothOnThe19th, '2026-02-01T10:00:00.000Z');
      for (const request of order === 'reversed' ? asked.reverse() : asked)
        await sendMailing(request, meta, world.deps, far());

      expect(world.mailer.receivedBy(japanese.email, 'date-change')).toHaveLength(1);
      expect(mailTextOf(world, japanese.email, 'date-change')?.previousReleaseDate).toBe(
        'Friday, 12 March 2027, 00:00 (Asia/Tokyo)',
      );
      // The new date as it stands where each outlet is: Japan's in Japan's zone, and both to WW's.
      expect(mailTextOf(world, japanese.email, 'date-change')?.releaseDate).toBe(
        'Friday, 19 March 2027, 09:00 (Asia/Tokyo) in JP',
      );
      expect(mailTextOf(world, everywhere.email, 'date-change')?.releaseDate).toBe(
        'Friday, 19 March 2027, 00:00 (Europe/London) in WW; Friday, 19 March 2027, 09:00 (Asia/Tokyo) in JP',
      );
      expect(world.mailer.receivedBy(everywhere.email, 'date-change')).toHaveLength(1);
      expect(mailTextOf(world, everywhere.email, 'date-change')?.previousReleaseDate).toBe(
        'Friday, 5 March 2027, 00:00 (Europe/London) in WW; Friday, 12 March 2027, 00:00 (Asia/Tokyo) in JP',
      );
    },
  );
});
