import { describe, expect, it } from 'vitest';
import type { Bucket, BucketStore, StoredBucket } from '#shared/db/send-rate.ts';
import { maxSendRateWaitMs, tableSendRate } from '#shared/mail/ses.ts';

/** A bucket in memory with the table's conditional replace, on a fake clock that sleeping moves. */
function aBucket(initial?: Bucket, options: { othersAlwaysWin?: boolean } = {}) {
  let stored: StoredBucket = initial ? { bucket: initial, version: 1 } : {};
  const time = { now: 1_000_000, slept: 0, reads: 0 };
  const store: BucketStore = {
    read: async () => {
      time.reads++;
      return stored;
    },
    replace: async (bucket, expectedVersion) => {
      if (options.othersAlwaysWin || expectedVersion !== stored.version) return undefined;
      stored = { bucket, version: (expectedVersion ?? 0) + 1 };
      return stored;
    },
  };
  const sendRate = (ratePerSecond: number) =>
    tableSendRate({
      rate: async () => ratePerSecond,
      bucket: store,
      now: () => time.now,
      sleep: async (ms) => {
        time.slept += ms;
        time.now += ms;
      },
    });
  /** Another sender replaces the bucket (spends `tokens` of it). */
  const otherSenderSpends = (tokens: number) => {
    stored = {
      bucket: { tokens: (stored.bucket?.tokens ?? 0) - tokens, at: time.now },
      version: (stored.version ?? 0) + 1,
    };
  };
  return { time, sendRate, stored: () => stored, otherSenderSpends };
}

const farAway = Number.MAX_SAFE_INTEGER;

describe('waiting for the shared send rate', () => {
  it('refills a bucket stamped ahead of the clock (time ran back) from now, instead of waiting for the clock to catch up', async () => {
    const day = 86_400_000;
    const bucket = aBucket({ tokens: -10, at: 1_000_000 + day });

    const granted = await bucket.sendRate(1).acquire(1, farAway);

    expect(granted).toBe(true);
    // 11 tokens of debt at 1 a second, counted from now, not from a day ahead.
    expect(bucket.time.slept).toBeLessThan(13_000);
    expect(bucket.time.reads).toBeLessThanOrEqual(4);
  });

  it('gives up within the bound, after a few reads, when the bucket never grants (other senders always win)', async () => {
    const bucket = aBucket(undefined, { othersAlwaysWin: true });

    const granted = await bucket.sendRate(10).acquire(5, farAway);

    expect(granted).toBe(false);
    expect(bucket.time.slept).toBeLessThanOrEqual(maxSendRateWaitMs);
    expect(bucket.time.reads).toBeLessThanOrEqual(15);
  });

  it('gives up at once, without sleeping, when the refill would take longer than the bound', async () => {
    const bucket = aBucket({ tokens: -100, at: 1_000_000 });

    const granted = await bucket.sendRate(1).acquire(1, farAway);

    expect(granted).toBe(false);
    expect(bucket.time.slept).toBe(0);
    expect(bucket.time.reads).toBe(1);
  });

  it('gives up before the deadline the invocation has left', async () => {
    const bucket = aBucket({ tokens: 0, at: 1_000_000 });

    const granted = await bucket.sendRate(5).acquire(5, 1_000_000 + 500);

    expect(granted).toBe(false);
    expect(bucket.time.slept).toBe(0);
  });

  it('reads the bucket once for a run of calls while no other sender changes it', async () => {
    const bucket = aBucket({ tokens: 100, at: 1_000_000 });
    const rate = bucket.sendRate(100);

    for (let call = 0; call < 10; call++) expect(await rate.acquire(50, farAway)).toBe(true);

    expect(bucket.time.reads).toBe(1);
    expect(bucket.stored().version).toBe(11);
  });

  it('reads the bucket again when another sender changed it, and never spends the same tokens twice', async () => {
    const bucket = aBucket({ tokens: 50, at: 1_000_000 });
    const rate = bucket.sendRate(50);
    await rate.acquire(50, farAway);

    bucket.otherSenderSpends(50);
    const granted = await rate.acquire(50, farAway);

    expect(granted).toBe(true);
    expect(bucket.time.reads).toBe(2);
    // The other sender's 50 and these 50 both had to refill (2 s at 50 a second): nothing spent twice.
    expect(bucket.time.slept).toBeGreaterThanOrEqual(2_000);
    expect(bucket.stored().bucket?.tokens).toBeLessThanOrEqual(0);
  });
});
