import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deliveryIdOf } from '#shared/db/deliveries.ts';

const announcement = {
  labelId: 'nightshift',
  releaseId: 'rel-1',
  email: 'editor@radio.example',
  kind: 'announcement' as const,
};

describe('a mail’s identity', () => {
  it('is the address, not the outlet: the same in any case or spacing', () => {
    const id = deliveryIdOf(announcement);

    expect(deliveryIdOf({ ...announcement, email: '  Editor@RADIO.example ' })).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('differs for another address, kind, release or date', () => {
    const id = deliveryIdOf(announcement);

    expect(deliveryIdOf({ ...announcement, email: 'other@radio.example' })).not.toBe(id);
    expect(deliveryIdOf({ ...announcement, kind: 'out-now' })).not.toBe(id);
    expect(deliveryIdOf({ ...announcement, releaseId: 'rel-2' })).not.toBe(id);
    expect(deliveryIdOf({ ...announcement, kind: 'date-change', revision: '2027-05-01T09:00' })).not.toBe(
      deliveryIdOf({ ...announcement, kind: 'date-change', revision: '2027-05-02T09:00' }),
    );
  });

  it('never lets ids that share their characters meet, however a label splits them', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.string(), (a, b, c) => {
        const first = deliveryIdOf({ ...announcement, labelId: a, releaseId: b + c });
        const second = deliveryIdOf({ ...announcement, labelId: a + b, releaseId: c });

        expect(first).not.toBe(second);
      }),
    );
  });
});
