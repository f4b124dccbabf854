import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { settleFromEmailsSent } from '#functions/settlement/settle.ts';
import {
  aLabelAndItsPress,
  announce,
  aReAnnouncementHeldButSent,
  emailSent,
  far,
  giveDeBack,
  givenBackWhileItsWithdrawalWasOut,
  meta,
  runRequested,
  runSettled,
  sweptThenItsEmailSent,
  withdrawDe,
  withdrawnWithItsAnswerLost,
} from '#test/support/announcer-fakes.ts';

/**
 * A territory given back (or withdrawn again) while its withdrawal or re-announcement is still to be
 * settled: its Email Sent, the sender and the sweep settle it in any order, and the outlet is told
 * each turn once (docs/design.md#exactly-once-mail).
 */

describe('a withdrawal found marked by its Email Sent, in a batch whose settling fails', () => {
  it('announces the outlet again once the batch is retried as the queue retries it', async () => {
    // The label gives DE back while SES sends the withdrawal: its announcement passes the address,
    // and the withdrawal's sender marks it sent after.
    const { german, world } = await givenBackWhileItsWithdrawalWasOut();
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(1);
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');
    // Another mail's claim, still open, in the same batch of Email Sent: marking it fails once (throttled).
    const other = (await world.deliveries.claim(
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

describe('a withdrawal claimed before withdrawals kept the territories they told', () => {
  it('announces the outlet again once it settles after the territory was given back', async () => {
    // SES sends the withdrawal and its answer is lost: the claim stays open until its Email Sent.
    const { german, world, label } = await withdrawnWithItsAnswerLost();
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');
    // Claimed by a sender from before a withdrawal kept its outlet's territories (docs/design.md#embargoes).
    const claimed = world.deliveries.items.get(withdrawal.deliveryId)!;
    expect(claimed.status).toBe('claimed');
    world.deliveries.items.set(withdrawal.deliveryId, { ...claimed, context: { outletId: german.id } });
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(1);

    await settleFromEmailsSent([emailSent(withdrawal)], world.deps);
    await runRequested(world, 'announcement');

    // Told DE is withdrawn, DE theirs again: announced again, as a withdrawal written since is.
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
  });
});

describe('a withdrawal SES sent, closed unsent by the sweep, whose late Email Sent’s ask of the next round fails', () => {
  it('asks it on the ask’s retry, and the outlet is announced again after the giving back', async () => {
    // SES sends the withdrawal, its answer lost; DE is given back (the announcement passes the
    // address, the withdrawal still claimed), and the sweep closes the withdrawal as no longer wanted.
    const { german, world, label } = await withdrawnWithItsAnswerLost();
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');
    expect(
      (await world.deps.deliveries.getMany([withdrawal.deliveryId])).get(withdrawal.deliveryId)?.status,
    ).toBe('failed');

    // Its late Email Sent records that it went, with the ask in the outbox (docs/design.md#the-outbox);
    // the ask's handling fails to publish the next round's announcement, and its event is tried again.
    expect(await settleFromEmailsSent([emailSent(withdrawal)], world.deps)).toEqual([]);
    const publish = world.deps.events.publish;
    world.deps.events.publish = async () => {
      world.deps.events.publish = publish;
      throw new Error('EventBridge unavailable');
    };
    await expect(runSettled(world)).rejects.toThrow();
    await runRequested(world, 'announcement');

    // Told DE was withdrawn, and DE is the outlet's again: it is announced again, once.
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
  });
});

describe('a withdrawal SES sent whose Email Sent reads it open while the sweep closes it unsent', () => {
  it('records that it went, and the outlet is announced again after the giving back', async () => {
    // SES sends the withdrawal, its answer lost: the claim stays open. DE is given back (its
    // announcement passes the address, the withdrawal still claimed).
    const { german, world, label } = await withdrawnWithItsAnswerLost();
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(1);
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');

    // Its Email Sent comes late, as the sweep runs: the event reads the claim open, and the sweep
    // closes it unsent (no longer wanted: DE is the outlet's again) before the event's mark.
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    const markSentMany = world.deps.deliveries.markSentMany.bind(world.deps.deliveries);
    world.deps.deliveries.markSentMany = async (sent, at) => {
      world.deps.deliveries.markSentMany = markSentMany;
      await sweepStaleClaims(world.deps, far());
      return markSentMany(sent, at);
    };
    expect(await settleFromEmailsSent([emailSent(withdrawal)], world.deps)).toEqual([]);
    world.deps.deliveries.markSentMany = markSentMany;
    await runRequested(world, 'announcement');

    // SES sent the withdrawal: the delivery shows it went, and DE being the outlet's again, it is
    // announced again, once (docs/design.md#exactly-once-mail).
    const recorded = await world.deps.deliveries.getMany([withdrawal.deliveryId]);
    expect(recorded.get(withdrawal.deliveryId)?.status).toBe('failed');
    expect(recorded.get(withdrawal.deliveryId)?.messageId).toBe(withdrawal.messageId);
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
  });
});

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

describe('a re-announcement held by the sweep that SES had sent', () => {
  it('is not announced a third time by the next giving back once its Email Sent shows it went', async () => {
    // SES sends the re-announcement and its answer is lost; DE is withdrawn again before the sweep,
    // which holds the re-announcement open. Its Email Sent comes after: it went.
    const { german, world, label } = await aReAnnouncementHeldButSent();
    const announcements = world.mailer.receivedBy(german.email, 'announcement');
    expect(announcements).toHaveLength(2);
    await settleFromEmailsSent([emailSent(announcements[1])], world.deps);

    await label(giveDeBack, 'evt-given-back-again', '2026-02-04T10:00:00.000Z');

    // The address was announced again after the withdrawal and told nothing since: not a third time.
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
  });

  it('is not announced a third time when its Email Sent comes only after the next giving back', async () => {
    // Held, not closed: the next giving back's mailing passes the address (its claim open), and does not
    // take it as told nothing and open round given-back-2 (docs/design.md#exactly-once-mail).
    const { german, world, label } = await aReAnnouncementHeldButSent();
    const announcements = world.mailer.receivedBy(german.email, 'announcement');
    expect(announcements).toHaveLength(2);

    await label(giveDeBack, 'evt-given-back-again', '2026-02-04T10:00:00.000Z');
    await settleFromEmailsSent([emailSent(announcements[1])], world.deps);
    await runRequested(world, 'cancellation');
    await runRequested(world, 'announcement');

    // Announced, told DE was withdrawn, announced again (the mail SES sent): told nothing since.
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
    ]);
  });

  it('is not sent a second time by the sweep once given back, its Email Sent coming after the sweep’s next run', async () => {
    const { german, world, label } = await aReAnnouncementHeldButSent();
    const announcements = world.mailer.receivedBy(german.email, 'announcement');
    expect(announcements).toHaveLength(2);

    // Given back just before the held claim (held at the sweep's time) is stale again: the sweep that
    // finds it wanted again holds it one more staleClaimMs, the margin any claim gets for its late Email Sent.
    world.clock.now += defaultSettings.staleClaimMs - 30_000;
    await label(giveDeBack, 'evt-given-back-again', '2026-02-04T10:00:00.000Z');
    // The sweep's next run, a minute after the giving back, before the late Email Sent arrives.
    await sweptThenItsEmailSent(world, announcements[1], ['cancellation', 'announcement']);

    // Announced, told DE was withdrawn, announced again (the mail SES sent): told nothing since.
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
    ]);
  });
});
