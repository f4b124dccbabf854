import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Bucket, takeTokens } from '#shared/db/send-rate.ts';

describe('the send-rate token bucket', () => {
  it('grants a full bucket at first and then makes callers wait for the refill', () => {
    const first = takeTokens(undefined, 0, 14, 14, 14);
    const second = first.granted ? takeTokens(first.bucket, 500, 14, 14, 14) : undefined;

    expect(first).toEqual({ granted: true, bucket: { tokens: 0, at: 0 } });
    expect(second).toEqual({ granted: false, waitMs: 500 });
  });

  it('never grants more recipients than the rate allows over any stretch of time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.array(
          fc.record({ after: fc.integer({ min: 0, max: 3_000 }), count: fc.integer({ min: 1, max: 50 }) }),
          {
            maxLength: 60,
          },
        ),
        (rate, requests) => {
          const capacity = Math.max(1, rate);
          let bucket: Bucket | undefined;
          let now = 0;
          let granted = 0;
          for (const { after, count } of requests) {
            now += after;
            const take = takeTokens(bucket, now, Math.min(count, capacity), rate, capacity);
            if (take.granted) {
              bucket = take.bucket;
              granted += Math.min(count, capacity);
            }
          }
          expect(granted).toBeLessThanOrEqual(capacity + (now * rate) / 1000 + 1e-9);
        },
      ),
    );
  });
});
