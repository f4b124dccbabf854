import { describe, expect, it } from 'vitest';
import type { SesEventDetail } from '#shared/events/ses.ts';
import { settleFromEmailsSent } from '#shared/mail/settle.ts';
import { aReleaseClaim, fakeWorld } from '#test/support/announcer-fakes.ts';
import { anOutlet } from '#test/support/releases.ts';

const emailSent = (deliveryId: string | undefined, messageId = `msg-${deliveryId}`): SesEventDetail => ({
  eventType: 'Send',
  mail: {
    messageId,
    timestamp: '2027-03-01T12:00:01Z',
    destination: ['someone@magazine.example'],
    tags: deliveryId ? { delivery: [deliveryId] } : {},
  },
});

/** A world with `open` claims still open and `sent` ones already marked sent by their sender; reads and writes counted. */
async function aBatch(open: number, sent: number) {
  const world = fakeWorld();
  const ids: string[] = [];
  for (let i = 0; i < open + sent; i++) {
    const claim = await world.deliveries.claim(
      aReleaseClaim(anOutlet({ id: `o${i}`, email: `o${i}@magazine.example` })),
      '2027-03-01T12:00:00Z',
    );
    ids.push(claim!.deliveryId);
    if (i >= open) await world.deliveries.markSent(claim!.deliveryId, `sender-${i}`, '2027-03-01T12:00:01Z');
  }
  const counted = { reads: 0, writes: 0 };
  const { getMany, markSent } = world.deliveries;
  world.deliveries.getMany = async (deliveryIds) => {
    counted.reads++;
    return getMany(deliveryIds);
  };
  world.deliveries.markSent = async (...args) => {
    counted.writes++;
    return markSent(...args);
  };
  return { world, ids, counted };
}

describe('settling claims from a batch of Email Sent events', () => {
  it('reads the whole batch at once and writes only the claims still open', async () => {
    const { world, ids, counted } = await aBatch(2, 98);

    const result = await settleFromEmailsSent(
      ids.map((id) => emailSent(id)),
      world.deps,
    );

    expect(counted).toEqual({ reads: 1, writes: 2 });
    expect(result).toEqual({ settled: ids.slice(0, 2), failed: [] });
    expect(world.deliveries.of('claimed')).toEqual([]);
    expect(world.deliveries.items.get(ids[0])?.messageId).toBe(`msg-${ids[0]}`);
    expect(world.deliveries.items.get(ids[50])?.messageId).toBe('sender-50');
  });

  it('ignores mail Backline did not tag, and settles a claim once when its event comes twice', async () => {
    const { world, ids, counted } = await aBatch(1, 0);

    const result = await settleFromEmailsSent(
      [emailSent(undefined), emailSent(ids[0]), emailSent(ids[0], 'msg-again')],
      world.deps,
    );

    expect(result).toEqual({ settled: [ids[0]], failed: [] });
    expect(counted.writes).toBe(2);
    expect(world.deliveries.items.get(ids[0])?.messageId).toBe(`msg-${ids[0]}`);
  });

  it('answers the events whose settling failed, so that only they are tried again', async () => {
    const { world, ids } = await aBatch(3, 0);
    const { markSent } = world.deliveries;
    world.deliveries.markSent = async (id, ...rest) => {
      if (id === ids[1]) throw new Error('ProvisionedThroughputExceededException');
      return markSent(id, ...rest);
    };

    const result = await settleFromEmailsSent(
      ids.map((id) => emailSent(id)),
      world.deps,
    );

    expect(result).toEqual({ settled: [ids[0], ids[2]], failed: [1] });
  });
});
