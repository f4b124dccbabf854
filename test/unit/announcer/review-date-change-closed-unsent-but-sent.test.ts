import { describe, expect, it } from 'vitest';
import { type MailingRequest, sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { settleFromEmailsSent, sweepStaleClaims } from '#functions/announcer/settle.ts';
import { decideChange } from '#functions/releases/apply-change.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import { announce, emailSent, type FakeWorld, fakeWorld, far, meta } from '#test/support/announcer-fakes.ts';
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

describe('a date change SES sent, closed unsent by the sweep before its late Email Sent showed it went', () => {
  it('counts as told: the move back to the first date is told to the outlet, as from the date it went to', async () => {
    const outlet = anOutlet();
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    await sendMailing(announce, meta, world.deps, far());
    // 5 March moves to 19 March: SES sends the date change, its answer lost (the claim stays open).
    world.mailer.script = (mail) => (mail.kind === 'date-change' ? 'accept-then-fail' : (undefined as never));
    for (const request of labelChanges(
      world,
      aReleaseDetails({ releaseDate: '2027-03-19' }),
      '2026-02-01T10:00:00.000Z',
    ))
      await sendMailing(request, meta, world.deps, far()).catch(() => {});
    world.mailer.script = undefined;
    const [toThe19th] = world.mailer.receivedBy(outlet.email, 'date-change');
    // The label moves it back to 5 March; before that mailing runs, the sweep closes the 19 March
    // change as no longer wanted, and its Email Sent, coming late, records that it went.
    const back = labelChanges(world, aReleaseDetails(), '2026-02-02T10:00:00.000Z');
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    await settleFromEmailsSent([emailSent(toThe19th)], world.deps);
    const recorded = (await world.deps.deliveries.getMany([toThe19th.deliveryId])).get(toThe19th.deliveryId);
    expect(recorded).toMatchObject({ status: 'failed', messageId: toThe19th.messageId });

    for (const request of back) await sendMailing(request, meta, world.deps, far());

    // The outlet was told 19 March: it hears the release is back on 5 March (docs/design.md#exactly-once-mail).
    expect(world.mailer.receivedBy(outlet.email, 'date-change')).toHaveLength(2);
  });
});
