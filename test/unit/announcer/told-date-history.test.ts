import { describe, expect, it } from 'vitest';
import { type MailingRequest, sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { decideChange } from '#functions/releases/apply-change.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import { announce, type FakeWorld, fakeWorld, far, meta } from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails, aStoredRelease } from '#test/support/releases.ts';

/** Review of f5133bc (date changes state the date each address was told). */

const key = 'lbl-nightshift/rel-night-drive';

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
            revision: effect.revision,
            ...(effect.moment ? { moment: effect.moment } : {}),
            ...(effect.territories ? { territories: effect.territories } : {}),
          },
        ]
      : [],
  );
}

async function moveAndMail(world: FakeWorld, details: ReleaseDetails, occurredAt: string) {
  for (const request of labelChanges(world, details, occurredAt))
    await sendMailing(request, meta, world.deps, far());
}

const textOf = (call: { defaultData: unknown; entries: { data: unknown }[] }) =>
  ({
    ...(call.defaultData as { text: object }).text,
    ...(call.entries[0].data as { text: object }).text,
  }) as { previousReleaseDate?: string; releaseDate?: string };

/** GB at the release's own date, DE at its own. */
const dated = (gb: string, de: string) =>
  aReleaseDetails({
    releaseDate: gb,
    territories: ['GB', 'DE'],
    territoryDates: [{ territories: ['DE'], releaseDate: de, timeZone: 'Europe/Berlin' }],
  });

describe('review f5133bc: told dates', () => {
  it('the sweep resends a territory date change stating the same previous date as its first sending', async () => {
    // An outlet in GB and DE, announced GB 5 March, DE 12 March.
    const outlet = anOutlet({ territories: ['GB', 'DE'] });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: dated('2027-03-05', '2027-03-12') })],
      outlets: [outlet],
    });
    await sendMailing(announce, meta, world.deps, far());
    // DE moves to 19 March; SES takes the date change but its answer is lost.
    world.mailer.script = (mail) => (mail.kind === 'date-change' ? 'accept-then-fail' : (undefined as never));
    await moveAndMail(world, dated('2027-03-05', '2027-03-19'), '2026-02-01T10:00:00.000Z');
    world.mailer.script = undefined;
    world.clock.now += defaultSettings.staleClaimMs + 60_000;

    await sweepStaleClaims(world.deps, far());

    const [first, resent] = world.mailer.calls.filter((call) => call.kind === 'date-change');
    expect(textOf(first).previousReleaseDate).toBe('Friday, 12 March 2027, 00:00 (Europe/Berlin)');
    // The resend must state what the first sending stated: DE was 12 March (GB did not move).
    expect(textOf(resent).previousReleaseDate).toBe(textOf(first).previousReleaseDate);
  });

  it('an address told of a move still hears the move back after 20 other territories’ date changes', async () => {
    // A GB outlet, announced GB 5 March.
    const outlet = anOutlet({ territories: ['GB'] });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: dated('2027-03-05', '2027-03-26') })],
      outlets: [outlet],
    });
    await sendMailing(announce, meta, world.deps, far());
    // GB moves to 12 March: the outlet is told "5 March -> 12 March".
    await moveAndMail(world, dated('2027-03-12', '2027-03-26'), '2026-02-01T10:00:00.000Z');
    expect(world.mailer.receivedBy(outlet.email).map((m) => m.kind)).toEqual(['announcement', 'date-change']);
    // DE (not the outlet's) moves 20 times.
    for (let day = 1; day <= 20; day++) {
      const de = `2027-04-${String(day).padStart(2, '0')}`;
      await moveAndMail(
        world,
        dated('2027-03-12', de),
        `2026-02-02T10:${String(day).padStart(2, '0')}:00.000Z`,
      );
    }
    // GB moves back to 5 March: the outlet, last told 12 March, must hear it.
    await moveAndMail(world, dated('2027-03-05', '2027-04-20'), '2026-02-03T10:00:00.000Z');

    expect(world.mailer.receivedBy(outlet.email).map((m) => m.kind)).toEqual([
      'announcement',
      'date-change',
      'date-change',
    ]);
  });
});
