import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { settleFromEmailsSent } from '#functions/settlement/settle.ts';
import { MailerError } from '#shared/mail/ports.ts';
import { standingWithdrawalConcerns } from '#shared/releases.ts';
import {
  aLabelAndItsPress,
  anAnnouncedPress,
  announce,
  emailSent,
  far,
  giveDeBack,
  givenBackWhileItsWithdrawalWasOut,
  mailTextOf,
  meta,
  reAnnouncementUnansweredThenWithdrawnAgain,
  runRequested,
  withdrawDe,
  withdrawnWithItsAnswerLost,
} from '#test/support/announcer-fakes.ts';
import { aReleaseDetails } from '#test/support/releases.ts';

const inTerritories = (territories: string[]) => ({
  type: 'Release Updated' as const,
  details: aReleaseDetails({ territories }),
});

/**
 * A territory withdrawn from a release and given back by a later description, then withdrawn again
 * (docs/design.md#street-dates-per-territory, #exactly-once-mail): its outlets hear each turn once.
 */
describe('a territory given back after its withdrawal', () => {
  it('announces the release again to the outlets told of the withdrawal, once, and opens their links again', async () => {
    const { german, british, release, world, store, label, redeliverAll } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    const withdrawn = await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(1);
    expect(standingWithdrawalConcerns(german, withdrawn)).toBe(true);

    const givenBack = await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    // Told the release is theirs again, as it is now; the British outlet, never withdrawn, hears nothing new.
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
    expect(world.mailer.receivedBy(british.email, 'announcement')).toHaveLength(1);
    expect(mailTextOf(world, german.email, 'announcement')).toMatchObject({ title: 'Night Drive' });
    expect(standingWithdrawalConcerns(german, givenBack)).toBe(false);

    // Redelivered (every mailing asked, again) and swept: nothing is sent twice.
    await redeliverAll();
    await sweepStaleClaims(world.deps, far());
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(1);
    expect(world.mailer.delivered).toHaveLength(4);
  });

  it('tells those outlets of a second withdrawal, once, and of a third giving back', async () => {
    const { german, british, release, world, store, label, redeliverAll } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    const again = await label(withdrawDe, 'evt-withdrawn-again', '2026-02-03T10:00:00.000Z');

    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(2);
    expect(world.mailer.receivedBy(british.email, 'cancellation')).toHaveLength(0);
    expect(standingWithdrawalConcerns(german, again)).toBe(true);

    // The same revision's webhook redelivered, and every mailing asked delivered again: nothing twice.
    await label(withdrawDe, 'evt-withdrawn-again', '2026-02-03T10:00:00.000Z');
    await redeliverAll();
    await sweepStaleClaims(world.deps, far());
    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(2);
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);

    await label(giveDeBack, 'evt-given-back-again', '2026-02-04T10:00:00.000Z');
    await redeliverAll();
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(3);
    expect(world.mailer.receivedBy(british.email, 'announcement')).toHaveLength(1);
  });

  it('resends a second withdrawal left claimed as that withdrawal, once, by the stale-claim sweep', async () => {
    const { german, release, world, store, label } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    // SES's answer to the second withdrawal is lost before it sends: the claim stays open.
    world.mailer.script = () => new MailerError('unknown', 'the answer was lost');
    await label(withdrawDe, 'evt-withdrawn-again', '2026-02-03T10:00:00.000Z').catch(() => {});
    world.mailer.script = undefined;
    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(1);

    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    await sweepStaleClaims(world.deps, far());
    const withdrawals = world.mailer.receivedBy(german.email, 'cancellation');
    expect(withdrawals).toHaveLength(2);
    expect(new Set(withdrawals.map((mail) => mail.deliveryId)).size).toBe(2);
  });

  it('announces again an outlet whose withdrawal was still claimed when the giving back passed it, once the withdrawal settles', async () => {
    // Announced, then DE withdrawn: SES sends the withdrawal and its answer is lost: the claim stays
    // open until its Email Sent.
    const { german, british, world, label } = await withdrawnWithItsAnswerLost();
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    // The giving back's announcement passed the address: its withdrawal was not known to be sent.
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(1);
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');

    await settleFromEmailsSent([emailSent(withdrawal)], world.deps);
    await runRequested(world, 'announcement');

    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
    expect(world.mailer.receivedBy(british.email, 'announcement')).toHaveLength(1);
    // The Email Sent again, every announcement asked run again, and swept: nothing is sent twice.
    await settleFromEmailsSent([emailSent(withdrawal)], world.deps);
    await runRequested(world, 'announcement');
    await sweepStaleClaims(world.deps, far());
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(1);
  });

  it('announces again an outlet given back while its withdrawal was out, from the Email Sent that finds it marked', async () => {
    // The label gives the territory back while SES sends the withdrawal: its announcement passes the address.
    const { german, world } = await givenBackWhileItsWithdrawalWasOut();
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(1);
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');

    // Its sender marked it sent; its Email Sent comes after.
    await settleFromEmailsSent([emailSent(withdrawal)], world.deps);
    await runRequested(world, 'announcement');

    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
  });

  it('announces again an outlet whose withdrawal the sweep resent while the territory was given back', async () => {
    const { german, release, world, store, label } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    // The withdrawal's answer is lost before SES sends it: the sweep sends it again.
    world.mailer.script = () => new MailerError('unknown', 'the answer was lost');
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z').catch(() => {});
    world.mailer.script = undefined;
    // The label gives the territory back while the resend is out: its announcement passes the address.
    const send = world.deps.mailer.sendBulk;
    world.deps.mailer.sendBulk = async (mail) => {
      const results = await send(mail);
      if (mail.kind === 'cancellation') await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
      return results;
    };
    world.clock.now += defaultSettings.staleClaimMs + 60_000;

    await sweepStaleClaims(world.deps, far());
    await runRequested(world, 'announcement');

    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(1);
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
  });

  it('announces again, once the territory is given back again, an outlet whose re-announcement the sweep held', async () => {
    const press = await anAnnouncedPress();
    const { german, world, label } = press;
    // DE withdrawn; SES's answer to the re-announcement is lost before it sends; DE is withdrawn again
    // before the sweep, which holds the re-announcement open, unsent: it may have gone, and only DE's
    // withdrawal keeps it from being resent (docs/design.md#exactly-once-mail).
    await reAnnouncementUnansweredThenWithdrawnAgain(press);
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    expect(world.deliveries.of('failed')).toHaveLength(0);
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(1);
    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(1);

    // Given back again: the sweep that finds the re-announcement it held wanted again holds it once
    // more (the margin of its late Email Sent), and the next, once it is stale again, sends it
    // (docs/design.md#exactly-once-mail); no second round is opened.
    await label(giveDeBack, 'evt-given-back-again', '2026-02-04T10:00:00.000Z');
    for (const look of [1, 2]) {
      world.clock.now += defaultSettings.staleClaimMs + 60_000;
      await sweepStaleClaims(world.deps, far());
      expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(look);
    }
    await label(withdrawDe, 'evt-withdrawn-a-third-time', '2026-02-05T10:00:00.000Z');

    // Announced again, then told of the withdrawal after it: each once.
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(2);
  });

  it('announces a worldwide release again in a country excluded from it and no longer excluded', async () => {
    const { german, british, release, world, store, label } = aLabelAndItsPress(['WW']);
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(1);

    const worldwideAgain = aReleaseDetails({ territories: ['WW'] });
    await label({ type: 'Release Updated', details: worldwideAgain }, 'evt-ww', '2026-02-02T10:00:00.000Z');
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
    expect(world.mailer.receivedBy(british.email, 'announcement')).toHaveLength(1);
  });
});

/**
 * An outlet told of a withdrawal, announced again when the territory was given back, and then edited
 * into territories no giving back names "would otherwise be read at round 0 only", and a withdrawal of
 * its new territories would name round 0, whose withdrawal (DE's) was sent: the claim spent, the outlet
 * never told. Round 0's withdrawal is read whatever the outlet's territories are now
 * (docs/design.md#exactly-once-mail), so the withdrawal of FR follows its round-1 announcement.
 */
describe('an outlet announced again after a giving back, then edited into a country withdrawn since', () => {
  it('is told of that withdrawal', async () => {
    const { german, release, world, store, label } = aLabelAndItsPress(['GB', 'DE', 'FR']);
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await label(inTerritories(['GB', 'FR']), 'evt-de-withdrawn', '2026-02-01T10:00:00.000Z');
    await label(inTerritories(['GB', 'DE', 'FR']), 'evt-de-given-back', '2026-02-02T10:00:00.000Z');
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
    ]);
    // The outlet now covers France (its address kept).
    german.territories = ['FR'];

    await label(inTerritories(['GB', 'DE']), 'evt-fr-withdrawn', '2026-02-03T10:00:00.000Z');

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
      'cancellation',
    ]);
  });
});
