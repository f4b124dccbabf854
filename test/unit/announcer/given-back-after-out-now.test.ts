import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { MailerError } from '#shared/mail/ports.ts';
import { territoryMomentsOf } from '#shared/releases.ts';
import {
  aLabelAndItsPress,
  announce,
  deOnItsOwnDate,
  far,
  meta,
  runRequested,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';

/** GB on 26 March, DE on its own date, 5 March. */
const dates = deOnItsOwnDate('2027-03-05');

/**
 * The label schedules it (announced to both outlets), then DE's release day comes: out there. Gives
 * DE's moment, for its out-now.
 */
async function scheduledThenOutInDe({ label, releaseDay }: ReturnType<typeof aLabelAndItsPress>) {
  await label({ type: 'Release Scheduled', details: dates }, 'evt-scheduled', '2026-01-01T10:00:00.000Z');
  const germany = territoryMomentsOf(dates).find((group) => group.territories.includes('DE'))!;
  await releaseDay(germany.moment);
  return germany;
}

/**
 * An outlet told a release was out in its country, then told to disregard it there (withdrawn), is
 * announced again when the country is given back (docs/design.md#exactly-once-mail), but never told
 * again that it is out there: an out-now's identity names no round, and the one sent before the
 * withdrawal spent its claim.
 */
describe('a country given back after it was out there and then withdrawn', () => {
  it('tells its outlet, announced again, that the release is out there', async () => {
    const press = aLabelAndItsPress();
    const { german, world, label } = press;
    const germany = await scheduledThenOutInDe(press);
    // Its out-now goes to the German outlet.
    await sendMailing({ ...announce, kind: 'out-now', moment: germany.key }, meta, world.deps, far());
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual(['announcement', 'out-now', 'cancellation']);

    // DE given back (GB still to come): the German outlet is announced again, and the announcement's
    // mailing, as it completes, asks the out-now of the moment that came (followUpsSince).
    await label({ type: 'Release Updated', details: dates }, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    await runRequested(world, 'out-now');

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'out-now',
      'cancellation',
      'announcement',
      'out-now',
    ]);
  });
});

/**
 * An address hears once a round that a release is out (docs/design.md#exactly-once-mail). The out-now
 * of DE's day is claimed for the German outlet but SES's answer is lost (it did not take it); DE is
 * withdrawn and given back before the sweep finds the claim stale: the German outlet is announced again
 * and told, in its new round, that the release is out. The sweep then resends the open claim of round
 * 0's out-now: a second out-now in the same round (toldOutNowInRound guards only the other order).
 */
describe('an out-now left open before a withdrawal, swept after the giving back', () => {
  it('is not told to an address already told in its new round', async () => {
    const press = aLabelAndItsPress();
    const { german, world, label } = press;
    const germany = await scheduledThenOutInDe(press);
    // DE's out-now: claimed, SES's answer lost (it took nothing); the claim stays open.
    world.mailer.script = (mail) =>
      mail.kind === 'out-now' ? new MailerError('unknown', 'the answer was lost') : (undefined as never);
    await sendMailing({ ...announce, kind: 'out-now', moment: germany.key }, meta, world.deps, far()).catch(
      () => {},
    );
    world.mailer.script = undefined;
    world.clock.now += 60_000;
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    world.clock.now += 60_000;
    // DE given back: announced again, and told in its new round that the release is out there.
    await label({ type: 'Release Updated', details: dates }, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    world.clock.now += 60_000;
    await runRequested(world, 'out-now');
    // Round 0's out-now still open (SES may yet have sent it, after the withdrawal), its round's out-now
    // is held, unsent, for the sweep to decide (docs/design.md#exactly-once-mail).
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
    ]);

    // The sweep finds round 0's out-now still claimed, closes it, and sends the held one.
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
      'out-now',
    ]);
  });
});
