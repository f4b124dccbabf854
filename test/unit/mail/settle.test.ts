import { describe, expect, it } from 'vitest';
import type { SesEventDetail } from '#shared/events/ses.ts';
import { settleFromEmailsSent } from '#shared/mail/email-sent.ts';
import { aReleaseClaim, fakeWorld } from '#test/support/announcer-fakes.ts';
import { anOutlet } from '#test/support/releases.ts';

const sentAt = '2027-03-01T12:00:01Z';

const emailSent = (
  deliveryId: string | undefined,
  messageId = `msg-${deliveryId}`,
  timestamp = sentAt,
): SesEventDetail => ({
  eventType: 'Send',
  mail: {
    messageId,
    timestamp,
    destination: ['someone@magazine.example'],
    tags: deliveryId ? { delivery: [deliveryId] } : {},
  },
});

/**
 * A world with `open` claims still open and `sent` ones already marked sent by their sender, a minute
 * after SES sent them (no sender can still be marking them); reads and batched writes counted.
 */
async function aBatch(open: number, sent: number) {
  const world = fakeWorld();
  const ids: string[] = [];
  for (let i = 0; i < open + sent; i++) {
    const claim = await world.deliveries.claim(
      aReleaseClaim(anOutlet({ id: `o${i}`, email: `o${i}@magazine.example` })),
      '2027-03-01T12:00:00Z',
    );
    ids.push(claim!.deliveryId);
    if (i >= open) await world.deliveries.markSent(claim!.deliveryId, `sender-${i}`, sentAt);
  }
  world.clock.now = Date.parse(sentAt) + 60_000;
  const counted = { reads: 0, writes: 0 };
  const { getMany, markSentMany } = world.deliveries;
  world.deliveries.getMany = async (deliveryIds) => {
    counted.reads++;
    return getMany(deliveryIds);
  };
  world.deliveries.markSentMany = async (...args) => {
    counted.writes++;
    return markSentMany(...args);
  };
  return { world, ids, counted };
}

const idsOf = (result: { settled: { deliveryId: string }[] }) => result.settled.map((d) => d.deliveryId);

describe('settling claims from a batch of Email Sent events', () => {
  it('reads the whole batch at once and settles the claims still open in one batched write', async () => {
    const { world, ids, counted } = await aBatch(2, 98);

    const result = await settleFromEmailsSent(
      ids.map((id) => emailSent(id)),
      world.deps,
    );

    expect(counted).toEqual({ reads: 1, writes: 1 });
    expect(idsOf(result)).toEqual(ids.slice(0, 2));
    expect(result.failed).toEqual([]);
    expect(world.deliveries.of('claimed')).toEqual([]);
    expect(world.deliveries.items.get(ids[0])).toMatchObject({
      messageId: `msg-${ids[0]}`,
      sentAt: new Date(sentAt).toISOString(),
    });
    expect(world.deliveries.items.get(ids[50])?.messageId).toBe('sender-50');
  });

  it('ignores mail Backline did not tag, and settles a claim once when its event comes twice', async () => {
    const { world, ids, counted } = await aBatch(1, 0);

    const result = await settleFromEmailsSent(
      [emailSent(undefined), emailSent(ids[0]), emailSent(ids[0], 'msg-again')],
      world.deps,
    );

    expect(idsOf(result)).toEqual([ids[0]]);
    expect(counted.writes).toBe(1);
    expect(world.deliveries.items.get(ids[0])?.messageId).toBe(`msg-${ids[0]}`);
  });

  it('answers the events of the open claims when their write fails, so that only they are tried again', async () => {
    const { world, ids } = await aBatch(2, 1);
    world.deliveries.markSentMany = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };

    const result = await settleFromEmailsSent(
      ids.map((id) => emailSent(id)),
      world.deps,
    );

    // The mail found marked by its sender is still given (its event is not tried again).
    expect(result).toMatchObject({ settled: [], failed: [0, 1], sentAfterClosed: [] });
    expect(result.alreadySent.map((d) => d.deliveryId)).toEqual([ids[2]]);
  });

  it('gives a claim another writer marked between its read and its mark as already sent', async () => {
    const { world, ids } = await aBatch(1, 0);
    const { markSentMany } = world.deliveries;
    world.deliveries.markSentMany = async (...args) => {
      await world.deliveries.markSent(ids[0], 'sender-0', sentAt);
      return markSentMany(...args);
    };

    const result = await settleFromEmailsSent([emailSent(ids[0])], world.deps);

    expect(result).toMatchObject({ settled: [], failed: [] });
    expect(result.alreadySent.map((d) => d.deliveryId)).toEqual([ids[0]]);
    expect(world.deliveries.items.get(ids[0])?.messageId).toBe('sender-0');
  });

  it('records that a claim closed unsent went, from its late Email Sent, its status kept, and gives it again to a later event', async () => {
    const { world, ids } = await aBatch(1, 0);
    await world.deliveries.markFailed(ids[0], 'no longer wanted when resending', sentAt);

    const result = await settleFromEmailsSent([emailSent(ids[0]), emailSent(ids[0], 'again')], world.deps);
    const again = await settleFromEmailsSent([emailSent(ids[0], 'later')], world.deps);

    expect(result.sentAfterClosed.map((d) => d.deliveryId)).toEqual([ids[0]]);
    // Recorded already: not written again, but given, so every Email Sent of it asks what follows it.
    expect(again.sentAfterClosed.map((d) => d.deliveryId)).toEqual([ids[0]]);
    expect(world.deliveries.items.get(ids[0])).toMatchObject({
      status: 'failed',
      messageId: `msg-${ids[0]}`,
      sentAt: new Date(sentAt).toISOString(),
    });
  });

  it('reads each claim once and never waits, however young its events (the queue delays them instead)', async () => {
    const { world, ids, counted } = await aBatch(2, 1);
    world.clock.now = Date.parse(sentAt) + 100;

    const result = await settleFromEmailsSent(
      ids.map((id) => emailSent(id)),
      world.deps,
    );

    expect(world.slept).toEqual([]);
    expect(counted).toEqual({ reads: 1, writes: 1 });
    expect(idsOf(result)).toEqual(ids.slice(0, 2));
  });
});
