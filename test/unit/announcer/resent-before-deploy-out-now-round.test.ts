import { describe, expect, it } from 'vitest';
import {
  aLabelAndItsPress,
  deOnItsOwnDate,
  lateEmailSent,
  reAnnouncedItsAnswerLost,
  runRequested,
  sweptPastStale,
  toldOutNowInRoundZero,
  withdrawnAgainAndSwept,
} from '#test/support/announcer-fakes.ts';

/** GB on 26 March, DE on its own date, 5 March. */
const dates = deOnItsOwnDate('2027-03-05');
const inBoth = { type: 'Release Updated' as const, details: dates };

/**
 * A first mail the sweep resent before December 2026 keeps the claim time that resend gave it (resends
 * keep the claim time only since), as one it held before holds kept `heldAt` does.
 *
 * The German outlet's re-announcement (round given-back-1, SES's answer lost) is told by round 0's
 * out-now, ten minutes later, that the release is out; the sweep resends the re-announcement before
 * the deploy, its claim time moved to the resend's. After the deploy the out-now of DE's day is asked
 * (the resend's ask run then, or any ask of it again). Compared with the round's first mail's claim
 * time, that out-now came before the round, and the German outlet was told a second time in round
 * given-back-1 that the release is out.
 *
 * docs/design.md#exactly-once-mail: a person hears a release is out once a round; the mailing passes
 * an address whose round-0 out-now was claimed after the withdrawal it last heard before its current
 * round, so a first mail held or resent past such an out-now before December 2026 still opened the
 * round before it.
 */
describe('a re-announcement resent before the deploy, after round 0’s out-now told the address in its round', () => {
  it('does not tell the German outlet a second time in that round that the release is out', async () => {
    const press = aLabelAndItsPress();
    const { german, world } = press;
    // DE given back: SES sends the re-announcement (round given-back-1), its answer lost: claim open.
    const announcements = await reAnnouncedItsAnswerLost(press, dates);
    expect(announcements).toHaveLength(2);
    const reAnnouncement = announcements[1].deliveryId;

    // DE's day comes; ten minutes after the re-announcement's claim, before out-nows named their round,
    // round 0's out-now tells the German outlet that the release is out (claimed and sent then).
    await toldOutNowInRoundZero(press, dates);

    // The sweep that finds the re-announcement stale (its Email Sent lost) resends it, before the
    // deploy: that reclaim moved the claim time to the resend's (claimedAt = the sweep's time).
    const resentAt = await sweptPastStale(world, 10 * 60_000);
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(3);
    const resent = world.deliveries.items.get(reAnnouncement)!;
    expect(resent).toMatchObject({ status: 'sent', resends: 1 });
    world.deliveries.items.set(reAnnouncement, { ...resent, claimedAt: resentAt });

    // After the deploy, the out-now of DE's day is asked (the resend's mark asked it).
    await runRequested(world, 'out-now');

    // Round given-back-1: announced again, told by round 0's out-now that it is out; no second out-now.
    expect(world.mailer.receivedBy(german.email, 'out-now')).toEqual([]);
  });

  // The same period: before holds kept heldAt a hold moved the claim time too (held-before-heldat.test.ts
  // builds such a claim).
  it('nor after a re-announcement held before the deploy, whose hold moved its claim time', async () => {
    const press = aLabelAndItsPress();
    const { german, world, label } = press;
    const announcements = await reAnnouncedItsAnswerLost(press, dates);
    expect(announcements).toHaveLength(2);
    const reAnnouncement = announcements[1].deliveryId;

    // Ten minutes after the re-announcement's claim, round 0's out-now tells the German outlet it is out.
    await toldOutNowInRoundZero(press, dates);

    // DE withdrawn again; the sweep that finds the re-announcement stale holds it, before the deploy:
    // its claim time moved to the hold's, no heldAt.
    await withdrawnAgainAndSwept(press, 10 * 60_000);
    const { heldAt, ...legacy } = world.deliveries.items.get(reAnnouncement)!;
    expect(legacy.status).toBe('claimed');
    world.deliveries.items.set(reAnnouncement, { ...legacy, claimedAt: heldAt!, updatedAt: heldAt! });

    // After the deploy, DE given back again; the re-announcement's late Email Sent shows it went and
    // asks its follow-ups: the out-now of DE's day.
    await label(inBoth, 'evt-given-back-again', '2026-02-04T10:00:00.000Z');
    await lateEmailSent(world, announcements[1], ['out-now']);

    expect(world.mailer.receivedBy(german.email, 'out-now')).toEqual([]);
  });
});
